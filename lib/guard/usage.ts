import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { rowsOf } from "@/db/rows";
import { usageDaily } from "@/db/schema";
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
  // One round trip: the user's row first (the usual limit), then the global budget, only for
  // an admitted request. Both are conditional upserts on a locked row.
  const [result] = rowsOf<{ admitted: number; budgeted: number }>(
    await db.execute(sql`
      with admitted as (
        insert into usage_daily as u (user_id, day, requests, tokens_reserved)
        values (${userId}, ${day}, 1, ${tokens})
        on conflict (user_id, day) do update
          set requests = u.requests + 1, tokens_reserved = u.tokens_reserved + ${tokens}
          where u.requests + 1 <= ${plan.requestsPerDay}
            and u.tokens_used + u.tokens_reserved + ${tokens} <= ${plan.tokensPerDay}
        returning 1
      ), budgeted as (
        insert into budget_daily as b (day, reserved_micros)
        select ${day}::date, ${costMicros}::bigint from admitted
        on conflict (day) do update
          set reserved_micros = b.reserved_micros + ${costMicros}
          where ${budgetMicros}::bigint is null or b.cost_micros + b.reserved_micros + ${costMicros} <= ${budgetMicros}::bigint
        returning 1
      )
      select (select count(*) from admitted)::int as admitted, (select count(*) from budgeted)::int as budgeted`),
  );
  if (!result || Number(result.admitted) === 0) return { refused: "quota" };
  if (Number(result.budgeted) === 0) {
    // The budget refused what the user's quota admitted: give the user's reservation back.
    // Until then the user's row over-counts by one request, which can only refuse, never admit.
    await db
      .update(usageDaily)
      .set({ requests: sql`${usageDaily.requests} - 1`, tokensReserved: sql`${usageDaily.tokensReserved} - ${tokens}` })
      .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, day)));
    return { refused: "budget" };
  }
  return { userId, day, tokens, costMicros, settled: false };
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
  const [row] = rowsOf<{ spent: number | string | null }>(
    await db.execute(sql`
      with user_usage as (
        update usage_daily set
          requests = requests - ${usage.release ? 1 : 0},
          tokens_reserved = greatest(0, tokens_reserved - ${reservation.tokens}),
          tokens_used = tokens_used + ${usage.tokens},
          cost_micros = cost_micros + ${usage.costMicros}
        where user_id = ${userId} and day = ${day}
        returning 1
      ), budget as (
        update budget_daily set
          reserved_micros = greatest(0, reserved_micros - ${reservation.costMicros}),
          cost_micros = cost_micros + ${usage.costMicros}
        where day = ${day}
        returning cost_micros
      )
      select (select cost_micros from budget) as spent`),
  );
  return row?.spent === null || row?.spent === undefined ? null : Number(row.spent);
}
