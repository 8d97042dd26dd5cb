import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN_EMAILS } from "../support/sentinels";
import { e2eSql } from "./database";
import { screenshot, signUp } from "./helpers";
import { actionId, postAction } from "./stripe";

// /admin: only admins see it; an admin sets a user's plan by hand and it is audited.

async function insertUser(email: string): Promise<string> {
  const sql = e2eSql();
  const [row] = await sql<{ id: string }[]>`insert into users (id, email) values (${randomUUID()}, ${email}) returning id`;
  await sql.end();
  return row!.id;
}

test("a non-admin gets a 404 for /admin and a refusal from the set-plan action", async ({ page }) => {
  await signUp(page);
  const targetId = await insertUser(`target-${randomUUID()}@example.com`);
  expect((await page.request.get("/admin")).status()).toBe(404);

  const response = await postAction(page.request, "/admin/users", actionId("setUserPlanAction"), { userId: targetId, plan: "pro" });
  expect(await response.text()).toContain('"code":"forbidden"');
  const sql = e2eSql();
  expect(await sql`select 1 from subscriptions where user_id = ${targetId}`).toHaveLength(0);
  await expect
    .poll(async () =>
      (await sql`select outcome from audit_log where action = 'admin.set_plan' and details->>'targetUserId' = ${targetId}`).map(
        (r) => r.outcome,
      ),
    )
    .toEqual(["forbidden"]);
  await sql.end();
});

test("an admin lists users with their plan and sets one by hand; the change is audited and the user gets it", async ({ page }) => {
  // Admin by configuration (ADMIN_EMAILS) and a proven address (signUp marks it verified).
  await signUp(page, { email: E2E_ADMIN_EMAILS[1]!, password: "a long enough password" });
  const targetEmail = `target-${randomUUID()}@example.com`;
  const targetId = await insertUser(targetEmail);
  const sql = e2eSql();

  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  const row = page.locator(`[data-testid="admin-user-row"][data-email="${targetEmail}"]`);
  await expect(row.getByTestId("admin-user-plan")).toHaveText("Free");
  await row.getByLabel(`Plan for ${targetEmail}`).selectOption("pro");
  await row.getByRole("button", { name: "Set plan" }).click();
  await expect(row.getByTestId("admin-user-plan")).toHaveText("Pro");
  await expect(row.getByLabel(`Plan for ${targetEmail}`)).toHaveValue("pro");
  await screenshot(page, "admin");

  const [subscription] = await sql`select plan, status from subscriptions where user_id = ${targetId}`;
  expect(subscription).toEqual({ plan: "pro", status: null });
  await expect
    .poll(async () =>
      (await sql`select outcome, details from audit_log where action = 'admin.set_plan' and details->>'targetUserId' = ${targetId}`).map(
        (r) => [r.outcome, r.details.before.plan, r.details.after.plan],
      ),
    )
    .toEqual([["ok", "free", "pro"]]);
  await sql.end();
});
