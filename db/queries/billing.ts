import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { auditLog, stripeEvents, subscriptions, users } from "@/db/schema";
import type { PlanId } from "@/lib/plans";
import { keepTodaysUsage } from "./usage-carryover";

type Transaction = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type SubscriptionState = Pick<
  typeof subscriptions.$inferInsert,
  "stripeSubscriptionId" | "status" | "stripePriceId" | "plan" | "currentPeriodEnd" | "cancelAtPeriodEnd" | "cancelAt"
>;

/** Links a Stripe customer to the user; keeps the first one if two requests race. */
export async function saveStripeCustomerId(userId: string, customerId: string): Promise<string> {
  const db = await getDb();
  const [row] = await db
    .insert(subscriptions)
    .values({ userId, stripeCustomerId: customerId })
    .onConflictDoUpdate({
      target: subscriptions.userId,
      set: { stripeCustomerId: sql`coalesce(${subscriptions.stripeCustomerId}, excluded.stripe_customer_id)` },
    })
    .returning({ stripeCustomerId: subscriptions.stripeCustomerId });
  return row?.stripeCustomerId ?? customerId;
}

/**
 * Records a webhook event id inside the caller's transaction. False when it was already
 * recorded: the event was applied before (or is being applied right now) and must be skipped.
 */
export async function claimStripeEvent(tx: Transaction, id: string, type: string): Promise<boolean> {
  const inserted = await tx.insert(stripeEvents).values({ id, type }).onConflictDoNothing().returning({ id: stripeEvents.id });
  return inserted.length === 1;
}

export async function stripeEventRecorded(id: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, id)).limit(1);
  return Boolean(row);
}

/** The subscription row an event is about (by customer, else by user), read without a lock. */
export async function findSubscriptionRow(customerId: string, userId: string | null) {
  const db = await getDb();
  const [byCustomer] = await db.select().from(subscriptions).where(eq(subscriptions.stripeCustomerId, customerId)).limit(1);
  if (byCustomer || !userId) return byCustomer ?? null;
  const [byUser] = await db.select().from(subscriptions).where(eq(subscriptions.userId, userId)).limit(1);
  return byUser ?? null;
}

/** The user a Stripe customer belongs to, locking their row until the transaction ends. */
export async function lockSubscriptionByCustomer(tx: Transaction, customerId: string) {
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.stripeCustomerId, customerId)).for("update").limit(1);
  return row ?? null;
}

export async function lockSubscriptionByUser(tx: Transaction, userId: string) {
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.userId, userId)).for("update").limit(1);
  return row ?? null;
}

export async function userExists(tx: Transaction, userId: string): Promise<boolean> {
  const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  return Boolean(row);
}

/** Writes the subscription as Stripe reports it now (the caller re-fetched it). */
export async function writeSubscriptionState(
  tx: Transaction,
  userId: string,
  customerId: string,
  state: SubscriptionState & { paymentFailedAt: Date | null },
): Promise<void> {
  const values = { ...state, stripeCustomerId: customerId, updatedAt: new Date() };
  await tx
    .insert(subscriptions)
    .values({ userId, ...values })
    .onConflictDoUpdate({ target: subscriptions.userId, set: values });
}

export async function markPaymentFailed(tx: Transaction, userId: string, failedAt: Date): Promise<void> {
  // Keep the earliest failure: the grace period runs from the first failed invoice.
  await tx
    .update(subscriptions)
    .set({ paymentFailedAt: sql`coalesce(${subscriptions.paymentFailedAt}, ${failedAt})`, updatedAt: new Date() })
    .where(eq(subscriptions.userId, userId));
}

/** An admin's manual plan: no Stripe status, so effectivePlan takes the plan as it is. */
export async function setPlanByHand(userId: string, plan: PlanId): Promise<void> {
  const db = await getDb();
  const values = { plan, status: null, cancelAt: null, cancelAtPeriodEnd: false, paymentFailedAt: null, updatedAt: new Date() };
  await db
    .insert(subscriptions)
    .values({ userId, ...values })
    .onConflictDoUpdate({ target: subscriptions.userId, set: values });
}

export async function listUsersWithSubscriptions(limit = 200) {
  const db = await getDb();
  return db
    .select({
      id: users.id,
      email: users.email,
      emailVerified: users.emailVerified,
      createdAt: users.createdAt,
      subscription: subscriptions,
    })
    .from(users)
    .leftJoin(subscriptions, eq(subscriptions.userId, users.id))
    .orderBy(desc(users.createdAt))
    .limit(limit);
}

/**
 * Deletes the user (their conversations, usage and subscription rows go with it) and removes
 * the personal data from their audit rows, which stay: the log keeps the user id, tokens and
 * cost of every request, but no prompt, response or IP hash. Rows of requests still in
 * flight are written the same way (lib/audit-log.ts).
 */
export async function deleteUser(userId: string): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).for("update");
    await keepTodaysUsage(tx, userId, user?.email ?? null);
    await tx.delete(users).where(eq(users.id, userId));
    await tx.update(auditLog).set({ promptText: null, responseText: null, ipHash: null }).where(eq(auditLog.userId, userId));
  });
}
