import { describe, expect, it } from "vitest";
import { effectivePlan, paidPlanEndsAt, type Subscription } from "@/db/queries/account";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PAST_DUE_GRACE_DAYS, PLANS, planForLookupKey } from "@/lib/plans";

// The grace rule, as the guard sees it through effectivePlan.
const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-06-15T12:00:00Z");
const later = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

function subscription(fields: Partial<Subscription>): Subscription {
  return {
    userId: "u1",
    stripeCustomerId: "cus_1",
    stripeSubscriptionId: "sub_1",
    status: "active",
    stripePriceId: "price_1",
    plan: "pro",
    currentPeriodEnd: later(20),
    cancelAtPeriodEnd: false,
    cancelAt: null,
    paymentFailedAt: null,
    updatedAt: NOW,
    ...fields,
  };
}

describe("effectivePlan (the grace rule)", () => {
  it("no row is Free; a plan set by an admin (no Stripe status) holds as set", () => {
    expect(effectivePlan(null, NOW)).toBe(PLANS.free);
    expect(effectivePlan(subscription({ status: null, plan: "pro", stripeSubscriptionId: null }), NOW)).toBe(PLANS.pro);
    expect(effectivePlan(subscription({ status: null, plan: "free" }), NOW)).toBe(PLANS.free);
    expect(effectivePlan(subscription({ status: null, plan: "enterprise-from-a-typo" }), NOW)).toBe(PLANS.free);
  });

  it("active and trialing are Pro, also past the stored period end (a renewal event may be late)", () => {
    expect(effectivePlan(subscription({ status: "active" }), NOW)).toBe(PLANS.pro);
    expect(effectivePlan(subscription({ status: "trialing" }), NOW)).toBe(PLANS.pro);
    expect(effectivePlan(subscription({ status: "active" }), later(25))).toBe(PLANS.pro);
  });

  it("a scheduled cancellation keeps Pro until its date, then Free without waiting for the deleted event", () => {
    const scheduled = subscription({ cancelAtPeriodEnd: true, cancelAt: later(20) });
    expect(effectivePlan(scheduled, later(19))).toBe(PLANS.pro);
    expect(effectivePlan(scheduled, later(20))).toBe(PLANS.free);
  });

  it(`past_due keeps Pro for ${PAST_DUE_GRACE_DAYS} days from the first failed invoice, then Free`, () => {
    const pastDue = subscription({ status: "past_due", paymentFailedAt: NOW });
    expect(effectivePlan(pastDue, later(PAST_DUE_GRACE_DAYS - 0.01))).toBe(PLANS.pro);
    expect(effectivePlan(pastDue, later(PAST_DUE_GRACE_DAYS))).toBe(PLANS.free);
    expect(paidPlanEndsAt(pastDue)).toEqual(later(PAST_DUE_GRACE_DAYS));
    // Without a recorded failure the grace runs from when the row last changed.
    expect(effectivePlan(subscription({ status: "past_due", updatedAt: NOW }), later(PAST_DUE_GRACE_DAYS + 1))).toBe(PLANS.free);
  });

  it("canceled, unpaid, incomplete and any unknown status are Free at once", () => {
    for (const status of ["canceled", "unpaid", "incomplete", "incomplete_expired", "paused", "something_new"]) {
      expect(effectivePlan(subscription({ status }), NOW), status).toBe(PLANS.free);
    }
  });
});

describe("price → plan", () => {
  it("maps only the lookup keys in lib/plans.ts", () => {
    expect(planForLookupKey("pro_monthly")).toBe(PLANS.pro);
    expect(planForLookupKey("Pro")).toBeNull();
    expect(planForLookupKey(null)).toBeNull();
  });
});

describe("plan status line", () => {
  it("says what happens next", () => {
    expect(describePlanStatus(null, NOW)).toBe("Free plan");
    expect(describePlanStatus(subscription({}), NOW)).toMatch(/^Active, renews on /);
    expect(describePlanStatus(subscription({ cancelAt: later(20), cancelAtPeriodEnd: true }), NOW)).toMatch(
      /^Active, cancels on July 5, 2026$/,
    );
    expect(describePlanStatus(subscription({ status: "past_due", paymentFailedAt: NOW }), NOW)).toMatch(/^Past due: update your card/);
    expect(describePlanStatus(subscription({ status: "past_due", paymentFailedAt: NOW }), later(30))).toMatch(/grace period is over/);
    expect(describePlanStatus(subscription({ status: "canceled" }), NOW)).toBe("Canceled");
    expect(describePlanStatus(subscription({ status: null, plan: "pro" }), NOW)).toBe("Set by an administrator");
  });
});
