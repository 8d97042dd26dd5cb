import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { budgetDaily, usageDaily } from "@/db/schema";
import type { Plan } from "@/lib/plans";
import { utcDay } from "@/lib/time";

// Quota as a reservation, never count-then-act: before the call, one conditional upsert admits
// the request only if used + reserved + this request's worst case still fits the plan; after
// the call the worst case is swapped for the real usage. Postgres locks the row for the
// upsert and re-checks the condition on its latest version, so any number of parallel
// requests admits exactly as many as fit.

export type Reservation = {
  userId: string;
  day: string;
  tokens: number;
  costMicros: number;
  /** Set on the first settle; a second settle (abort racing completion) does nothing. */
  settled: boolean;
};

export type ReservationRefusal = { refused: "quota" | "budget" };

class BudgetRefused extends Error {}

export async function reserveUsage(options: {
  userId: string;
  plan: Plan;
  tokens: number;
  costMicros: number;
  /** Global daily cap in micro-dollars; null = none (or an admin, who is never stopped by it). */
  budgetMicros: number | null;
}): Promise<Reservation | ReservationRefusal> {
  const { userId, plan, tokens, costMicros, budgetMicros } = options;
  const day = utcDay();
  if (tokens > plan.tokensPerDay) return { refused: "quota" };
  if (budgetMicros !== null && costMicros > budgetMicros) return { refused: "budget" };
  const db = await getDb();
  try {
    return await db.transaction(async (tx) => {
      const admitted = await tx
        .insert(usageDaily)
        .values({ userId, day, requests: 1, tokensReserved: tokens })
        .onConflictDoUpdate({
          target: [usageDaily.userId, usageDaily.day],
          set: {
            requests: sql`${usageDaily.requests} + 1`,
            tokensReserved: sql`${usageDaily.tokensReserved} + ${tokens}`,
          },
          setWhere: sql`${usageDaily.requests} + 1 <= ${plan.requestsPerDay}
            and ${usageDaily.tokensUsed} + ${usageDaily.tokensReserved} + ${tokens} <= ${plan.tokensPerDay}`,
        })
        .returning({ requests: usageDaily.requests });
      if (admitted.length === 0) return { refused: "quota" } as const;

      // The global budget in the same transaction: refused there, the user's row rolls back too.
      const budgeted = await tx
        .insert(budgetDaily)
        .values({ day, reservedMicros: costMicros })
        .onConflictDoUpdate({
          target: budgetDaily.day,
          set: { reservedMicros: sql`${budgetDaily.reservedMicros} + ${costMicros}` },
          setWhere:
            budgetMicros === null
              ? undefined
              : sql`${budgetDaily.costMicros} + ${budgetDaily.reservedMicros} + ${costMicros} <= ${budgetMicros}`,
        })
        .returning({ day: budgetDaily.day });
      if (budgeted.length === 0) throw new BudgetRefused();
      return { userId, day, tokens, costMicros, settled: false };
    });
  } catch (error) {
    if (error instanceof BudgetRefused) return { refused: "budget" };
    throw error;
  }
}

/**
 * Replaces the reservation with what was really used, once. `release` also gives the request
 * back (an upstream error or a refusal after the reservation: the user got nothing).
 * Returns the day's global spend afterwards, for budget alerts.
 */
export async function settleReservation(
  reservation: Reservation,
  usage: { tokens: number; costMicros: number; release: boolean },
): Promise<number | null> {
  if (reservation.settled) return null;
  reservation.settled = true;
  const db = await getDb();
  const { userId, day } = reservation;
  await db
    .update(usageDaily)
    .set({
      requests: usage.release ? sql`${usageDaily.requests} - 1` : sql`${usageDaily.requests}`,
      tokensReserved: sql`greatest(0, ${usageDaily.tokensReserved} - ${reservation.tokens})`,
      tokensUsed: sql`${usageDaily.tokensUsed} + ${usage.tokens}`,
      costMicros: sql`${usageDaily.costMicros} + ${usage.costMicros}`,
    })
    .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, day)));
  const [budget] = await db
    .update(budgetDaily)
    .set({
      reservedMicros: sql`greatest(0, ${budgetDaily.reservedMicros} - ${reservation.costMicros})`,
      costMicros: sql`${budgetDaily.costMicros} + ${usage.costMicros}`,
    })
    .where(eq(budgetDaily.day, day))
    .returning({ costMicros: budgetDaily.costMicros });
  return budget?.costMicros ?? null;
}
