import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { PLANS } from "@/lib/plans";
import { e2eSql } from "./database";
import { screenshot, signUp, watchForPageErrors } from "./helpers";
import {
  actionId,
  changeSubscription,
  completeCheckout,
  deliverWebhook,
  failedInvoice,
  fakeStripeRequests,
  fakeStripeUrl,
  payAndNotify,
  postAction,
  stripeEvent,
} from "./stripe";

// Billing against `next start` with the app's Stripe SDK pointed at the fake Stripe server.

async function userIdOf(email: string): Promise<string> {
  const sql = e2eSql();
  const [row] = await sql<{ id: string }[]>`select id from users where email = ${email}`;
  await sql.end();
  return row!.id;
}

async function subscriptionRow(userId: string) {
  const sql = e2eSql();
  const [row] = await sql<{ status: string | null; plan: string; stripe_subscription_id: string | null }[]>`
    select status, plan, stripe_subscription_id from subscriptions where user_id = ${userId}`;
  await sql.end();
  return row ?? null;
}

test("a Free user upgrades through checkout; after the signed webhook /account shows Pro and its limits", async ({ page }) => {
  const problems = watchForPageErrors(page);
  const { email } = await signUp(page);
  const userId = await userIdOf(email);
  await page.goto("/account");
  await expect(page.getByTestId("account-plan")).toHaveText("Free");
  await expect(page.getByText(`0 of ${PLANS.free.requestsPerDay.toLocaleString("en-US")}`, { exact: true })).toBeVisible();

  await page.goto("/pricing");
  await expect(page.getByTestId("plan-free").getByTestId("current-plan")).toBeVisible();
  await expect(page.getByTestId("plan-pro")).toContainText(`${PLANS.pro.requestsPerDay} requests a day`);
  await screenshot(page, "pricing-free-user");
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();

  // The server action redirected the browser to the (fake) Stripe Checkout page.
  await expect(page).toHaveURL(new RegExp(`^${fakeStripeUrl()}/checkout/cs_test_`));
  await expect(page.getByRole("heading", { name: "Fake Stripe Checkout" })).toBeVisible();
  const sessionId = new URL(page.url()).pathname.split("/").pop()!;
  const created = (await fakeStripeRequests()).find((r) => r.path === "/v1/checkout/sessions" && r.params.client_reference_id === userId);
  expect(created?.params).toMatchObject({ mode: "subscription", metadata: { userId, planId: "pro" } });
  expect(created?.idempotencyKey).toMatch(new RegExp(`^checkout-session:${userId}:pro:`));

  // The customer pays; Stripe sends the signed webhook; the customer comes back.
  await payAndNotify(page.request, sessionId);
  await page.getByRole("link", { name: "Return to the app" }).click();
  await expect(page).toHaveURL(/\/account\?checkout=success$/);
  await expect(page.getByTestId("account-plan")).toHaveText("Pro");
  await expect(page.getByTestId("account-plan-status")).toContainText("Active, renews on");
  await expect(page.getByText(`0 of ${PLANS.pro.requestsPerDay.toLocaleString("en-US")}`, { exact: true })).toBeVisible();
  await expect(page.getByText(`0 of ${PLANS.pro.tokensPerDay.toLocaleString("en-US")}`, { exact: true })).toBeVisible();
  await screenshot(page, "account-after-upgrade");
  expect(await subscriptionRow(userId)).toMatchObject({ status: "active", plan: "pro" });

  await page.goto("/pricing");
  await expect(page.getByTestId("plan-pro").getByTestId("current-plan")).toBeVisible();

  // Manage billing opens the (fake) customer portal.
  await page.goto("/account");
  await page.getByRole("button", { name: "Manage billing" }).click();
  await expect(page.getByRole("heading", { name: "Fake Stripe customer portal" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("the checkout action: refused without a session; with one, the price comes from the server, never the form", async ({
  page,
  playwright,
  baseURL,
}) => {
  const checkout = actionId("startCheckoutAction");
  const countSessions = async () => (await fakeStripeRequests()).filter((r) => r.path === "/v1/checkout/sessions").length;

  const anonymous = await playwright.request.newContext({ baseURL });
  const before = await countSessions();
  const refused = await postAction(anonymous, "/pricing", checkout, { planId: "pro", attempt: randomUUID() });
  expect(await refused.text()).toContain('"code":"unauthorized"');
  expect(await countSessions()).toBe(before);
  await anonymous.dispose();

  const { email } = await signUp(page);
  const userId = await userIdOf(email);
  for (const planId of ["free", "enterprise", ""]) {
    const invalid = await postAction(page.request, "/pricing", checkout, { planId, attempt: randomUUID() });
    expect(await invalid.text()).toContain('"code":"invalid_input"');
  }
  const attempt = randomUUID();
  // Forged fields are ignored: only planId and attempt are read.
  const served = await postAction(page.request, "/pricing", checkout, {
    planId: "pro",
    attempt,
    price: "price_attacker",
    unit_amount: "1",
    userId: "someone-else",
  });
  expect(served.status()).toBeLessThan(400);
  expect(served.headers()["x-action-redirect"]).toContain(`${fakeStripeUrl()}/checkout/cs_test_`);
  const sessions = (await fakeStripeRequests()).filter(
    (r) => r.path === "/v1/checkout/sessions" && r.params.client_reference_id === userId,
  );
  expect(sessions).toHaveLength(1);
  // The price of this test's session is the one Stripe holds under the pro plan's lookup key
  // (asked of the fake directly; the app may have it cached from an earlier checkout, so this
  // test need not cause a price request of its own). Changed: this used to read the first
  // price request of the whole run, which another test caused.
  const proPrices = (await (await fetch(`${fakeStripeUrl()}/v1/prices?lookup_keys[]=${PLANS.pro.priceLookupKey}&active=true`)).json()) as {
    data: Array<{ id: string }>;
  };
  expect(proPrices.data).toHaveLength(1);
  expect(sessions[0]!.params).toMatchObject({
    client_reference_id: userId,
    metadata: { userId },
    line_items: [{ price: proPrices.data[0]!.id, quantity: "1" }],
  });
  expect(JSON.stringify(sessions[0]!.params)).not.toContain("price_attacker");
  expect(sessions[0]!.idempotencyKey).toBe(`checkout-session:${userId}:pro:${attempt}`);
});

test("webhook over HTTP: bad signature 400 and nothing written; a replay applied once; out-of-order events leave the latest state", async ({
  page,
  request,
}) => {
  const { email } = await signUp(page);
  const userId = await userIdOf(email);
  const response = await postAction(page.request, "/pricing", actionId("startCheckoutAction"), { planId: "pro", attempt: randomUUID() });
  expect(response.status()).toBeLessThan(400);
  // A server action's redirect comes back as a header; the session id is in the checkout URL.
  const checkoutUrl = response.headers()["x-action-redirect"] ?? "";
  const sessionId = /\/checkout\/([^;?/]+)/.exec(checkoutUrl)?.[1] ?? "";
  expect(sessionId, `redirect header: ${checkoutUrl}`).toMatch(/^cs_test_/);
  const { session: paid, subscription } = await completeCheckout(sessionId);
  const completed = stripeEvent("checkout.session.completed", paid);

  const sql = e2eSql();
  const recorded = async (id: string) => (await sql`select 1 from stripe_events where id = ${id}`).length;
  for (const signature of ["", "t=1,v1=00", "t=9999999999,v1=" + "a".repeat(64)]) {
    const refused = await deliverWebhook(request, completed, signature);
    expect(refused.status()).toBe(400);
  }
  expect(await recorded(completed.id)).toBe(0);
  expect(await subscriptionRow(userId)).toMatchObject({ status: null, stripe_subscription_id: null });

  const first = await deliverWebhook(request, completed);
  expect(await first.json()).toEqual({ received: true, result: "applied" });
  const replay = await deliverWebhook(request, completed);
  expect(replay.status()).toBe(200);
  expect(await replay.json()).toEqual({ received: true, result: "duplicate" });
  expect(await recorded(completed.id)).toBe(1);

  // Stripe cancels; the events arrive newest first.
  const createdEvent = stripeEvent("customer.subscription.created", subscription);
  const canceled = await changeSubscription(subscription.id, { status: "canceled" });
  const deletedEvent = stripeEvent("customer.subscription.deleted", canceled);
  expect((await deliverWebhook(request, deletedEvent)).status()).toBe(200);
  expect((await deliverWebhook(request, createdEvent)).status()).toBe(200);
  expect(await subscriptionRow(userId)).toMatchObject({ status: "canceled", stripe_subscription_id: subscription.id });

  const unknown = await deliverWebhook(request, stripeEvent("payment_intent.created", { id: "pi_1", object: "payment_intent" }));
  expect(await unknown.json()).toEqual({ received: true, result: "ignored" });
  await sql.end();

  await page.goto("/account");
  await expect(page.getByTestId("account-plan")).toHaveText("Free");
});

test("deleting an account cancels its Stripe subscription, then the user", async ({ page }) => {
  const { email, password } = await signUp(page);
  const userId = await userIdOf(email);
  const response = await postAction(page.request, "/pricing", actionId("startCheckoutAction"), { planId: "pro", attempt: randomUUID() });
  const sessionId = /\/checkout\/([^;?/]+)/.exec(response.headers()["x-action-redirect"] ?? "")?.[1] ?? "";
  expect(sessionId).toMatch(/^cs_test_/);
  const subscription = await payAndNotify(page.request, sessionId);

  await page.goto("/account");
  await expect(page.getByTestId("account-plan")).toHaveText("Pro");
  // The danger zone's button asks for confirmation in a dialog first.
  await page.getByRole("button", { name: "Delete account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await dialog.getByRole("button", { name: "Delete account" }).click();
  await expect(dialog.getByText("Type DELETE to confirm.")).toBeVisible(); // no confirmation, nothing happens
  expect(await userIdOf(email).catch(() => null)).toBe(userId);

  await dialog.getByLabel("Type DELETE to delete your account").fill("DELETE");
  await dialog.getByLabel("Confirm with your password").fill("not my password");
  await dialog.getByRole("button", { name: "Delete account" }).click();
  await expect(dialog.getByText("Current password is incorrect.")).toBeVisible(); // a session alone cannot delete
  expect(await userIdOf(email).catch(() => null)).toBe(userId);

  await dialog.getByLabel("Type DELETE to delete your account").fill("DELETE");
  await dialog.getByLabel("Confirm with your password").fill(password);
  await dialog.getByRole("button", { name: "Delete account" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();

  const cancel = (await fakeStripeRequests()).find((r) => r.method === "DELETE" && r.path === `/v1/subscriptions/${subscription.id}`);
  expect(cancel?.idempotencyKey).toBe(`cancel-on-delete:${subscription.id}`);
  const sql = e2eSql();
  expect(await sql`select 1 from users where id = ${userId}`).toHaveLength(0);
  await sql.end();
});

test("/account shows a scheduled cancellation and a failed payment with its grace date", async ({ page, request }) => {
  await signUp(page);
  const response = await postAction(page.request, "/pricing", actionId("startCheckoutAction"), { planId: "pro", attempt: randomUUID() });
  const sessionId = /\/checkout\/([^;?/]+)/.exec(response.headers()["x-action-redirect"] ?? "")?.[1] ?? "";
  const subscription = await payAndNotify(page.request, sessionId);

  const periodEnd = subscription.items.data[0]!.current_period_end;
  const canceling = await changeSubscription(subscription.id, { cancel_at_period_end: true, cancel_at: periodEnd });
  expect((await deliverWebhook(request, stripeEvent("customer.subscription.updated", canceling))).status()).toBe(200);
  await page.goto("/account");
  await expect(page.getByTestId("account-plan")).toHaveText("Pro");
  await expect(page.getByTestId("account-plan-status")).toHaveText(/^Active, cancels on \w+ \d+, \d{4}$/);

  const pastDue = await changeSubscription(subscription.id, { cancel_at_period_end: false, cancel_at: null, status: "past_due" });
  const failed = stripeEvent("invoice.payment_failed", failedInvoice(pastDue.id, pastDue.customer));
  expect((await deliverWebhook(request, failed)).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("account-plan")).toHaveText("Pro"); // within the grace period
  await expect(page.getByTestId("account-plan-status")).toContainText("Past due: update your card in Manage billing before");
});

test("opening checkout again with a live subscription lands on the portal, not on a second purchase (also before the webhook)", async ({
  page,
}) => {
  const { email } = await signUp(page);
  const userId = await userIdOf(email);
  await page.goto("/pricing");
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "Fake Stripe Checkout" })).toBeVisible();
  // Paid at Stripe; the webhook has not arrived, so the app still shows Free and offers the upgrade.
  await completeCheckout(new URL(page.url()).pathname.split("/").pop()!);
  await page.goto("/pricing");
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "Fake Stripe customer portal" })).toBeVisible();
  const checkouts = (await fakeStripeRequests()).filter(
    (r) => r.path === "/v1/checkout/sessions" && r.params.client_reference_id === userId,
  );
  expect(checkouts).toHaveLength(1);
});
