import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { failedInvoice, signatureFor, stripeEvent, type FakeEvent } from "../fakes/stripe-events";
import { TEST_WEBHOOK_SECRET, startFakeStripeForApp } from "../support/fake-stripe-env";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";

// The webhook logic against the real stripe SDK talking to the fake Stripe over HTTP. The
// app modules are imported after the fake has started, so lib/env.ts sees its address.
const fake = await startFakeStripeForApp();
const { getDb } = await import("@/db");
const { effectivePlan, getSubscription } = await import("@/db/queries/account");
const { stripeEvents, subscriptions } = await import("@/db/schema");
const { eq } = await import("drizzle-orm");
const { handleStripeWebhook } = await import("@/lib/billing/webhook");
const { createCheckoutSession } = await import("@/lib/billing/checkout");
const { PAST_DUE_GRACE_DAYS, PLANS } = await import("@/lib/plans");

const DAY_MS = 24 * 60 * 60 * 1000;

afterAll(async () => {
  await fake.stop();
  await closeDatabase(await getDb());
});

function deliver(event: FakeEvent, signature: string | null = signatureFor(event.payload, TEST_WEBHOOK_SECRET)) {
  return handleStripeWebhook(event.payload, signature);
}

async function eventRecorded(id: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db.select().from(stripeEvents);
  return rows.some((row) => row.id === id);
}

/** A user who went through checkout on the fake (not yet told to the app by a webhook). */
async function paidCheckout() {
  const user = await newUser();
  const url = await createCheckoutSession(user, PLANS.pro, randomUUID(), "http://localhost:3000");
  const sessionId = url.split("/checkout/")[1]!;
  const { session, subscription } = fake.completeCheckout(sessionId);
  return { user, session, subscription, completed: stripeEvent("checkout.session.completed", session) };
}

describe("checkout session", () => {
  it("is created for the signed-in user with the plan's price from lib/plans.ts and an idempotency key", async () => {
    const user = await newUser();
    const attempt = randomUUID();
    const url = await createCheckoutSession(user, PLANS.pro, attempt, "http://localhost:3000");
    const again = await createCheckoutSession(user, PLANS.pro, attempt, "http://localhost:3000");
    expect(again).toBe(url); // a double submit reuses the same session

    const [created] = fake.requestsTo("POST", "/v1/checkout/sessions").filter((r) => r.params.client_reference_id === user.id);
    const proPrice = [...fake.prices.values()].find((price) => price.lookup_key === PLANS.pro.priceLookupKey)!;
    expect(created!.params).toMatchObject({
      mode: "subscription",
      client_reference_id: user.id,
      metadata: { userId: user.id, planId: "pro" },
      subscription_data: { metadata: { userId: user.id } },
      line_items: [{ price: proPrice.id, quantity: "1" }],
      success_url: "http://localhost:3000/account?checkout=success",
    });
    expect(created!.idempotencyKey).toBe(`checkout-session:${user.id}:pro:${attempt}`);
    // One customer for the user, created once (idempotent) and stored.
    const customers = fake
      .requestsTo("POST", "/v1/customers")
      .filter((r) => (r.params.metadata as Record<string, string>).userId === user.id);
    expect(customers).toHaveLength(1);
    expect(customers[0]!.idempotencyKey).toBe(`customer-create:${user.id}`);
    expect((await getSubscription(user.id))?.stripeCustomerId).toBe(created!.params.customer);
  });

  it("sends a customer with a live subscription to the portal instead of a second checkout, even before the webhook arrived", async () => {
    const { user, completed } = await paidCheckout();
    const checkoutsBefore = fake.requestsTo("POST", "/v1/checkout/sessions").length;
    // Stripe has the subscription; the app has not heard of it yet.
    expect(effectivePlan(await getSubscription(user.id)).id).toBe("free");
    expect(await createCheckoutSession(user, PLANS.pro, randomUUID(), "http://localhost:3000")).toContain("/portal/");
    await deliver(completed);
    expect(await createCheckoutSession(user, PLANS.pro, randomUUID(), "http://localhost:3000")).toContain("/portal/");
    expect(fake.requestsTo("POST", "/v1/checkout/sessions")).toHaveLength(checkoutsBefore);
  });

  it("is refused to a user who has the plan without Stripe (set by an admin)", async () => {
    const user = await newUser();
    const db = await getDb();
    await db.insert(subscriptions).values({ userId: user.id, plan: "pro", status: null });
    await expect(createCheckoutSession(user, PLANS.pro, randomUUID(), "http://localhost:3000")).rejects.toMatchObject({
      code: "already_subscribed",
    });
  });
});

describe("webhook signature", () => {
  it("refuses a missing, forged, stale or tampered signature with 400 and writes nothing", async () => {
    const { user, completed } = await paidCheckout();
    const before = await getSubscription(user.id);
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const attempts = [
      await deliver(completed, null),
      await deliver(completed, "t=1,v1=deadbeef"),
      await deliver(completed, signatureFor(completed.payload, "whsec_someone_else")),
      await deliver(completed, signatureFor(completed.payload, TEST_WEBHOOK_SECRET, stale)),
      await handleStripeWebhook(completed.payload.replace('"paid"', '"PAID"'), signatureFor(completed.payload, TEST_WEBHOOK_SECRET)),
    ];
    for (const response of attempts) expect(response.status).toBe(400);
    expect(await eventRecorded(completed.id)).toBe(false);
    expect(await getSubscription(user.id)).toEqual(before);
    expect(effectivePlan(await getSubscription(user.id)).id).toBe("free");
  });
});

describe("webhook and Stripe calls", () => {
  // postgres.js only: PGlite is one session, so a second connection cannot probe a lock there.
  it.runIf(Boolean(process.env.DATABASE_URL))("no row lock is held while Stripe is called", async () => {
    const { default: postgres } = await import("postgres");
    const probe = postgres(process.env.DATABASE_URL!, { max: 1, prepare: false, onnotice: () => {} });
    const { user, completed } = await paidCheckout();
    const probes: string[] = [];
    fake.beforeAnswer = async (method, path) => {
      if (method !== "GET" || !path.startsWith("/v1/subscriptions/")) return;
      // NOWAIT fails at once if the webhook holds this user's row lock during the call.
      const outcome = await probe
        .begin(async (sql) => sql`select 1 from subscriptions where user_id = ${user.id} for update nowait`)
        .then(
          () => "free",
          (error: Error) => `locked: ${error.message}`,
        );
      probes.push(outcome);
    };
    try {
      expect((await deliver(completed)).body.result).toBe("applied");
    } finally {
      fake.beforeAnswer = undefined;
      await probe.end();
    }
    expect(probes).toEqual(["free"]);
  });

  it("a row written by another event while Stripe answered is noticed: fetched again, then applied", async () => {
    const { user, subscription, completed } = await paidCheckout();
    let retrieves = 0;
    fake.beforeAnswer = async (method, path) => {
      if (method !== "GET" || path !== `/v1/subscriptions/${subscription.id}`) return;
      if (++retrieves > 1) return;
      // Meanwhile another event for this user is applied (here: written directly).
      const db = await getDb();
      await db
        .update(subscriptions)
        .set({ status: "incomplete", updatedAt: new Date(Date.now() + 1000) })
        .where(eq(subscriptions.userId, user.id));
    };
    try {
      expect((await deliver(completed)).body.result).toBe("applied");
    } finally {
      fake.beforeAnswer = undefined;
    }
    expect(retrieves).toBe(2);
    expect(await getSubscription(user.id)).toMatchObject({ status: "active", plan: "pro" });
  });
});

describe("webhook events", () => {
  it("checkout.session.completed makes the user Pro at once (what the guard reads)", async () => {
    const { user, subscription, completed } = await paidCheckout();
    expect(effectivePlan(await getSubscription(user.id))).toBe(PLANS.free);
    const response = await deliver(completed);
    expect(response).toEqual({ status: 200, body: { received: true, result: "applied" } });
    const row = await getSubscription(user.id);
    expect(row).toMatchObject({
      stripeSubscriptionId: subscription.id,
      status: "active",
      plan: "pro",
      cancelAtPeriodEnd: false,
      cancelAt: null,
    });
    expect(row?.currentPeriodEnd?.getTime()).toBe(subscription.items.data[0]!.current_period_end * 1000);
    expect(effectivePlan(row)).toBe(PLANS.pro);
    expect(effectivePlan(row).requestsPerDay).toBeGreaterThan(PLANS.free.requestsPerDay);
  });

  it("a replayed event is applied once, also when redelivered in parallel", async () => {
    const { user, subscription, completed } = await paidCheckout();
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(completed)));
    expect(results.map((r) => r.body.result).sort()).toEqual(["applied", "duplicate", "duplicate", "duplicate", "duplicate"]);

    // The subscription changes at Stripe; replaying the old event must not re-apply anything.
    fake.updateSubscription(subscription.id, { status: "canceled" });
    const replay = await deliver(completed);
    expect(replay.body.result).toBe("duplicate");
    expect(await getSubscription(user.id)).toMatchObject({ status: "active", plan: "pro" });
  });

  it("out-of-order created / updated / deleted leave the latest state", async () => {
    const { user, subscription, completed } = await paidCheckout();
    const created = stripeEvent("customer.subscription.created", { ...subscription });
    fake.updateSubscription(subscription.id, { cancel_at_period_end: true });
    const updated = stripeEvent("customer.subscription.updated", { ...subscription });
    fake.updateSubscription(subscription.id, { status: "canceled" });
    const deleted = stripeEvent("customer.subscription.deleted", { ...subscription });

    // Newest first, oldest last: each re-fetches, so the row always ends as Stripe has it now.
    for (const event of [deleted, updated, created, completed]) expect((await deliver(event)).status).toBe(200);
    const row = await getSubscription(user.id);
    expect(row).toMatchObject({ status: "canceled", stripeSubscriptionId: subscription.id });
    expect(effectivePlan(row)).toBe(PLANS.free);
  });

  it("a late event about an old, ended subscription does not replace a newer live one", async () => {
    const { user, subscription: old, completed } = await paidCheckout();
    await deliver(completed);
    fake.updateSubscription(old.id, { status: "canceled" });
    await deliver(stripeEvent("customer.subscription.deleted", { ...old }));
    const customer = (await getSubscription(user.id))!.stripeCustomerId!;
    const newer = fake.createSubscription(customer, old.items.data[0]!.price.id as string, { userId: user.id });
    await deliver(stripeEvent("customer.subscription.created", newer));
    const late = await deliver(stripeEvent("customer.subscription.updated", { ...old }));
    expect(late.body.result).toBe("stale");
    expect(await getSubscription(user.id)).toMatchObject({ stripeSubscriptionId: newer.id, status: "active", plan: "pro" });
  });

  it("payment failure: past_due keeps Pro for the grace period from the failed invoice, then Free; recovery clears it", async () => {
    const { user, subscription, completed } = await paidCheckout();
    await deliver(completed);
    fake.updateSubscription(subscription.id, { status: "past_due" });
    const failedAt = Math.floor(Date.now() / 1000) - 60;
    const failed = stripeEvent("invoice.payment_failed", failedInvoice(subscription.id, subscription.customer), { created: failedAt });
    expect((await deliver(failed)).body.result).toBe("applied");
    // The subscription.updated event about the same failure comes later; the grace start stays.
    await deliver(stripeEvent("customer.subscription.updated", { ...subscription }, { created: failedAt + 30 }));

    const row = (await getSubscription(user.id))!;
    expect(row).toMatchObject({ status: "past_due", plan: "pro" });
    expect(row.paymentFailedAt?.getTime()).toBe(failedAt * 1000);
    const graceEnds = failedAt * 1000 + PAST_DUE_GRACE_DAYS * DAY_MS;
    expect(effectivePlan(row, new Date(graceEnds - 1000))).toBe(PLANS.pro);
    expect(effectivePlan(row, new Date(graceEnds + 1000))).toBe(PLANS.free);

    fake.updateSubscription(subscription.id, { status: "active" });
    await deliver(stripeEvent("customer.subscription.updated", { ...subscription }));
    const recovered = (await getSubscription(user.id))!;
    expect(recovered).toMatchObject({ status: "active", paymentFailedAt: null });
    expect(effectivePlan(recovered, new Date(graceEnds + DAY_MS))).toBe(PLANS.pro);
  });

  it("retries exhausted (unpaid) → Free at once", async () => {
    const { user, subscription, completed } = await paidCheckout();
    await deliver(completed);
    fake.updateSubscription(subscription.id, { status: "unpaid" });
    await deliver(stripeEvent("customer.subscription.updated", { ...subscription }));
    expect(effectivePlan(await getSubscription(user.id))).toBe(PLANS.free);
  });

  it("an unknown event is acknowledged and ignored: 200, nothing written", async () => {
    const { user, completed } = await paidCheckout();
    await deliver(completed);
    const before = await getSubscription(user.id);
    const unknown = stripeEvent("customer.created", { id: "cus_x", object: "customer" });
    expect(await deliver(unknown)).toEqual({ status: 200, body: { received: true, result: "ignored" } });
    expect(await eventRecorded(unknown.id)).toBe(false);
    expect(await getSubscription(user.id)).toEqual(before);
  });

  it("an event for a deleted account is recorded and changes nothing", async () => {
    const { user, completed } = await paidCheckout();
    const { deleteUser } = await import("@/db/queries/billing");
    await deleteUser(user.id);
    expect((await deliver(completed)).body.result).toBe("no_user");
    expect(await eventRecorded(completed.id)).toBe(true);
    expect((await deliver(completed)).body.result).toBe("duplicate");
    expect(await getSubscription(user.id)).toBeNull();
  });
});

describe("the tier the guard reads: effectivePlan(getSubscription(user))", () => {
  it("is Pro after the checkout webhook, stays Pro until the period end after a cancellation, then Free", async () => {
    const { user, subscription, completed } = await paidCheckout();
    await deliver(completed);
    expect(effectivePlan(await getSubscription(user.id))).toEqual(PLANS.pro);

    // The customer cancels in the portal: at period end (the portal may set cancel_at).
    const periodEnd = subscription.items.data[0]!.current_period_end;
    fake.updateSubscription(subscription.id, { cancel_at_period_end: true, cancel_at: periodEnd });
    await deliver(stripeEvent("customer.subscription.updated", { ...subscription }));
    const scheduled = (await getSubscription(user.id))!;
    expect(scheduled).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    expect(scheduled.cancelAt?.getTime()).toBe(periodEnd * 1000);
    expect(effectivePlan(scheduled)).toEqual(PLANS.pro);
    // Free from the period end on, even before customer.subscription.deleted arrives.
    expect(effectivePlan(scheduled, new Date(periodEnd * 1000 + 1000))).toEqual(PLANS.free);

    fake.updateSubscription(subscription.id, { status: "canceled" });
    await deliver(stripeEvent("customer.subscription.deleted", { ...subscription }));
    expect(effectivePlan(await getSubscription(user.id))).toEqual(PLANS.free);
  });
});
