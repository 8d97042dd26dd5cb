import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { subscriptions, usageDaily } from "@/db/schema";
import { getPlan, PLANS, type Plan } from "@/lib/plans";
import { utcDay } from "@/lib/time";

export type Subscription = typeof subscriptions.$inferSelect;

// Statuses that keep a paid plan. Anything else (canceled, unpaid, incomplete…) is Free.
const PAID_STATUSES = new Set(["active", "trialing", "past_due"]);

/** The plan the user is entitled to now, from their subscription row (none → Free). */
export function effectivePlan(subscription: Subscription | null): Plan {
  if (!subscription) return PLANS.free;
  // A plan set by an admin by hand has no Stripe status.
  if (subscription.status === null || PAID_STATUSES.has(subscription.status)) return getPlan(subscription.plan);
  return PLANS.free;
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
