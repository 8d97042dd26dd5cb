import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { subscriptions, usageDaily } from "@/db/schema";
import { getPlan, PAST_DUE_GRACE_DAYS, PLANS, type Plan } from "@/lib/plans";
import { utcDay } from "@/lib/time";

export type Subscription = typeof subscriptions.$inferSelect;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The plan the user is entitled to at `now`: the one function the guard reads for limits.
 * The rule (README, "Billing"):
 * - no row → Free; a row without a Stripe status (plan set by an admin) → that plan;
 * - active or trialing → the paid plan, until a scheduled cancellation (`cancelAt`) has passed,
 *   so "cancel at period end" keeps Pro to the end of the paid period even if the
 *   customer.subscription.deleted event is late;
 * - past_due → the paid plan for PAST_DUE_GRACE_DAYS from the first failed invoice, then Free;
 * - canceled, unpaid, incomplete, incomplete_expired, paused (anything else) → Free.
 */
export function effectivePlan(
  subscription: Pick<Subscription, "plan" | "status" | "cancelAt" | "paymentFailedAt" | "updatedAt"> | null,
  now: Date = new Date(),
): Plan {
  if (!subscription) return PLANS.free;
  const plan = getPlan(subscription.plan);
  switch (subscription.status) {
    case null:
      return plan;
    case "active":
    case "trialing":
      return subscription.cancelAt && subscription.cancelAt <= now ? PLANS.free : plan;
    case "past_due": {
      const failedAt = subscription.paymentFailedAt ?? subscription.updatedAt;
      return now.getTime() < failedAt.getTime() + PAST_DUE_GRACE_DAYS * DAY_MS ? plan : PLANS.free;
    }
    default:
      return PLANS.free;
  }
}

/** The date a paid plan ends unless something changes (for the account page), or null. */
export function paidPlanEndsAt(subscription: Subscription | null): Date | null {
  if (!subscription || subscription.status === null) return null;
  if (subscription.status === "past_due") {
    const failedAt = subscription.paymentFailedAt ?? subscription.updatedAt;
    return new Date(failedAt.getTime() + PAST_DUE_GRACE_DAYS * DAY_MS);
  }
  return subscription.cancelAt;
}

export async function getSubscription(userId: string): Promise<Subscription | null> {
  const db = await getDb();
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.userId, userId)).limit(1);
  return row ?? null;
}

export type DailyUsage = { requests: number; tokens: number };

/** Today's usage, counting in-flight reservations, so the meter never under-reports. */
export async function getTodayUsage(userId: string, day = utcDay()): Promise<DailyUsage> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(usageDaily)
    .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, day)))
    .limit(1);
  return { requests: row?.requests ?? 0, tokens: (row?.tokensUsed ?? 0) + (row?.tokensReserved ?? 0) };
}
