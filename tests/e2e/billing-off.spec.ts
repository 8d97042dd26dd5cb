import { expect, test } from "@playwright/test";
import { BASE_DATABASE_URL, E2E_ADMIN_EMAILS, productionServerEnv } from "../support/sentinels";
import { startNextServer, type NextServer } from "../support/next-server";
import { databaseUrlFor } from "../support/test-database";
import { e2eDatabaseName } from "./database";
import { signUp } from "./helpers";
import { stripeEvent, deliverWebhook } from "./stripe";

// The same build started without Stripe keys: the app runs, /pricing shows the plans and says
// billing is off, and the webhook writes nothing.
const port = Number(process.env.E2E_PORT ?? 3100) + 4;
const baseURL = `http://localhost:${port}`;
let server: NextServer | undefined;

test.describe("without Stripe keys", () => {
  test.use({ baseURL });

  test.beforeAll(async () => {
    const env: Record<string, string> = {
      ...productionServerEnv(databaseUrlFor(BASE_DATABASE_URL, e2eDatabaseName())),
      REDIS_KEY_PREFIX: `e2eoff${Date.now().toString(36)}`,
    };
    delete env.STRIPE_SECRET_KEY;
    delete env.STRIPE_WEBHOOK_SECRET;
    const inherited = { ...process.env };
    delete inherited.STRIPE_SECRET_KEY;
    delete inherited.STRIPE_WEBHOOK_SECRET;
    server = await startNextServer(port, { ...inherited, ...env });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test("/pricing shows the plans with a notice and no checkout; the webhook refuses and writes nothing", async ({
    page,
    request,
    browser,
  }) => {
    await page.goto("/pricing");
    // The notice is for admins only: to a visitor the plans simply have no checkout.
    await expect(page.getByTestId("billing-not-configured")).toHaveCount(0);
    await expect(page.getByTestId("plan-free")).toBeVisible();
    await expect(page.getByTestId("plan-pro")).toContainText("requests a day");
    await expect(page.getByTestId("plan-pro").getByRole("link", { name: "Sign up to start" })).toBeVisible();
    await signUp(page);
    await page.goto("/pricing");
    await expect(page.getByTestId("plan-free").getByTestId("current-plan")).toBeVisible();
    await expect(page.getByRole("button", { name: /Upgrade/ })).toHaveCount(0);
    await expect(page.getByTestId("billing-not-configured")).toHaveCount(0);
    // An admin (ADMIN_EMAILS, proven address) sees it.
    const admin = await browser.newPage({ baseURL });
    await signUp(admin, { email: E2E_ADMIN_EMAILS[2]!, password: "a long enough password" });
    await admin.goto("/pricing");
    await expect(admin.getByTestId("billing-not-configured")).toBeVisible();
    await admin.close();
    await page.goto("/account");
    await expect(page.getByRole("button", { name: "Manage billing" })).toHaveCount(0);

    const refused = await deliverWebhook(request, stripeEvent("checkout.session.completed", { id: "cs_1", object: "checkout.session" }));
    expect(refused.status()).toBe(400);
  });
});
