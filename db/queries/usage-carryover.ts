import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { usageCarryover, usageDaily } from "@/db/schema";
import { hashEmail } from "@/lib/guard/hashing";
import { utcDay } from "@/lib/time";

type Transaction = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Inside the deletion's transaction: keeps what the account used today (reservations in flight
 * counted as used) under its address's hash. Replaces, never adds: an account that inherited
 * this row and is deleted again already counts it.
 */
export async function keepTodaysUsage(tx: Transaction, userId: string, email: string | null): Promise<void> {
  if (!email) return;
  const day = utcDay();
  await tx.delete(usageCarryover).where(lt(usageCarryover.day, day));
  const [usage] = await tx
    .select()
    .from(usageDaily)
    .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, day)));
  if (!usage) return;
  const kept = {
    requests: usage.requests,
    tokensUsed: usage.tokensUsed + usage.tokensReserved,
    costMicros: usage.costMicros,
  };
  await tx
    .insert(usageCarryover)
    .values({ emailHash: hashEmail(email), day, ...kept })
    .onConflictDoUpdate({
      target: [usageCarryover.emailHash, usageCarryover.day],
      set: {
        requests: sql`greatest(${usageCarryover.requests}, ${kept.requests})`,
        tokensUsed: sql`greatest(${usageCarryover.tokensUsed}, ${kept.tokensUsed})`,
        costMicros: sql`greatest(${usageCarryover.costMicros}, ${kept.costMicros})`,
      },
    });
}

/** A new account starts today from what a deleted account with its address used today. */
export async function inheritTodaysUsage(userId: string, email: string | null | undefined): Promise<void> {
  if (!email) return;
  const db = await getDb();
  const day = utcDay();
  await db.execute(sql`
    insert into usage_daily (user_id, day, requests, tokens_used, cost_micros)
    select ${userId}, day, requests, tokens_used, cost_micros from usage_carryover
    where email_hash = ${hashEmail(email)} and day = ${day}::date
    on conflict (user_id, day) do nothing`);
}
