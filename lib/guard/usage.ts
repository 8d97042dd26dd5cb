import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { rowsOf } from "@/db/rows";
import { usageDaily } from "@/db/schema";
import type { Plan } from "@/lib/plans";
import { utcDay } from "@/lib/time";
import { drainOutbox } from "./outbox";

// Quota as a reservation, never count-then-act: before the call, one conditional upsert admits
// the request only if used + reserved + this request's worst case still fits the plan; after
// the call the worst case is swapped for the real usage. Postgres locks the row for the
// upsert and re-checks the condition on its latest version, so any number of parallel
// requests admits exactly as many as fit.
//
// Lock order, everywhere (reserve, settle, sweep): the request's own reservation row, then
// the user's usage_daily row, then budget_daily. A statement that took them in another order
// would deadlock against a parallel one (a burst from one user did, before).
//
// Each admitted request also leaves a `reservations` row with its request id and an expiry;
// settle deletes it. A process that dies between reserve and settle leaves it behind, and
// `sweepExpiredReservations` (the cron route, and now and then after a request) releases it
// and writes the request's audit row with outcome `lost`.

/**
 * Longer than any request can live: the platform's maxDuration (300 s, app/api/chat/route.ts)
 * and the chat stream's own deadline are below it, so only a dead process's reservation expires.
 */
export const RESERVATION_TTL_SECONDS = 15 * 60;

export type Reservation = {
  requestId: string;
  userId: string;
  day: string;
  tokens: number;
  costMicros: number;
  /** Set on the first settle; a second settle (abort racing completion) does nothing. */
  settled: boolean;
};

/** A budget refusal says which budget was spent: the day's or the month's. */
export type ReservationRefusal = { refused: "quota" } | { refused: "budget"; period: "daily" | "monthly" };

export async function reserveUsage(options: {
  requestId: string;
  userId: string;
  /** The audit row's action and model, for the `lost` row if the request never settles. */
  action: string;
  model: string;
  plan: Plan;
  tokens: number;
  costMicros: number;
  /**
   * The global daily and monthly caps in micro-dollars (DAILY_BUDGET_USD, MONTHLY_BUDGET_USD;
   * null = none). An admin's budget for the current day or month (budget_overrides) replaces
   * either, read in the same statement.
   */
  budgetMicros: number | null;
  monthlyBudgetMicros?: number | null;
  /** Admins: never stopped by a budget (their spend still counts). */
  budgetExempt?: boolean;
}): Promise<Reservation | ReservationRefusal> {
  const { requestId, userId, plan, tokens, costMicros, budgetMicros, monthlyBudgetMicros = null, budgetExempt = false } = options;
  const day = utcDay();
  const monthStart = `${day.slice(0, 7)}-01`;
  if (tokens > plan.tokensPerDay) return { refused: "quota" };
  const db = await getDb();
  // One round trip: the user's row first (the usual limit), then the global budget, only for
  // an admitted request, then the reservation's own row, only for a budgeted one. Each CTE
  // reads the one before, which fixes the order the rows are locked in.
  // The budgets: `limits` reads the caps in force (an admin's override, else the default) and
  // what the month spent before today. Every reservation of the day locks today's budget row,
  // so the monthly check (earlier days + today's row) is as atomic as the daily one: earlier
  // days only ever go down (a late settle replaces a reservation with less).
  const [result] = rowsOf<{ admitted: number; budgeted: number }>(
    await db.execute(sql`
      with limits as (
        select
          case when ${budgetExempt} then null else coalesce(
            (select budget_micros from budget_overrides where period = 'daily' and day = ${day}::date), ${budgetMicros}::bigint) end as daily,
          case when ${budgetExempt} then null else coalesce(
            (select budget_micros from budget_overrides where period = 'monthly' and day = ${monthStart}::date), ${monthlyBudgetMicros}::bigint) end as monthly,
          (select coalesce(sum(cost_micros + reserved_micros), 0) from budget_daily where day >= ${monthStart}::date and day < ${day}::date) as month_before
      ), admitted as (
        insert into usage_daily as u (user_id, day, requests, tokens_reserved)
        values (${userId}, ${day}, 1, ${tokens})
        on conflict (user_id, day) do update
          set requests = u.requests + 1, tokens_reserved = u.tokens_reserved + ${tokens}
          where u.requests + 1 <= ${plan.requestsPerDay}
            and u.tokens_used + u.tokens_reserved + ${tokens} <= ${plan.tokensPerDay}
        returning 1
      ), budgeted as (
        insert into budget_daily as b (day, reserved_micros)
        select ${day}::date, ${costMicros}::bigint from admitted, limits
        where (limits.daily is null or ${costMicros} <= limits.daily)
          and (limits.monthly is null or limits.month_before + ${costMicros} <= limits.monthly)
        on conflict (day) do update
          set reserved_micros = b.reserved_micros + ${costMicros}
          where ((select daily from limits) is null or b.cost_micros + b.reserved_micros + ${costMicros} <= (select daily from limits))
            and ((select monthly from limits) is null
              or (select month_before from limits) + b.cost_micros + b.reserved_micros + ${costMicros} <= (select monthly from limits))
        returning 1
      ), held as (
        insert into reservations (request_id, user_id, day, action, model, tokens, cost_micros, expires_at)
        select ${requestId}::uuid, ${userId}, ${day}::date, ${options.action}, ${options.model}, ${tokens}::bigint,
          ${costMicros}::bigint, now() + make_interval(secs => ${RESERVATION_TTL_SECONDS})
        from budgeted
        returning 1
      )
      select (select count(*) from admitted)::int as admitted, (select count(*) from held)::int as budgeted`),
  );
  if (!result || Number(result.admitted) === 0) return { refused: "quota" };
  if (Number(result.budgeted) === 0) {
    // The budget refused what the user's quota admitted: give the user's reservation back.
    // Until then the user's row over-counts by one request, which can only refuse, never admit.
    await db
      .update(usageDaily)
      .set({ requests: sql`${usageDaily.requests} - 1`, tokensReserved: sql`${usageDaily.tokensReserved} - ${tokens}` })
      .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, day)));
    // Which budget it was, for the message (read afresh: the statement's snapshot may predate
    // the parallel reservations that filled it).
    const [month] = rowsOf<{ full: boolean }>(
      await db.execute(sql`
        select coalesce(
          (select budget_micros from budget_overrides where period = 'monthly' and day = ${monthStart}::date), ${monthlyBudgetMicros}::bigint)
          < (select coalesce(sum(cost_micros + reserved_micros), 0) from budget_daily where day >= ${monthStart}::date and day <= ${day}::date) + ${costMicros}
          as full`),
    );
    return { refused: "budget", period: month?.full ? "monthly" : "daily" };
  }
  return { requestId, userId, day, tokens, costMicros, settled: false };
}

/**
 * Replaces the reservation with what was really used, once. `release` also gives the request
 * back (a refusal or an upstream error before the upstream answered: the user got nothing).
 * Usage is added only by the writer that takes the request's end: the one that deletes its
 * reservation row, or, when the expiry sweeper released it (its audit row says `lost`), this
 * settle, which then counts the request again (the sweeper gave it back). When neither holds,
 * the request's outcome was applied already (the outbox, after this statement stalled past the
 * query deadline) and nothing is added twice. Returns the day's global spend afterwards.
 */
export async function settleReservation(
  reservation: Reservation,
  usage: { tokens: number; costMicros: number; release: boolean },
): Promise<number | null> {
  if (reservation.settled) return null;
  reservation.settled = true;
  const db = await getDb();
  const { requestId, userId, day } = reservation;
  // The budget update waits for the user's row (its gating subquery reads user_usage): usage, then budget.
  const [row] = rowsOf<{ spent: number | string | null }>(
    await db.execute(sql`
      with claimed as (
        delete from reservations where request_id = ${requestId}::uuid returning tokens, cost_micros
      ), taken as (
        select exists (select 1 from claimed) as claimed,
          not exists (select 1 from claimed)
            and exists (select 1 from audit_log where request_id = ${requestId}::uuid and outcome = 'lost') as swept
      ), user_usage as (
        update usage_daily set
          requests = requests + (case
            when (select claimed from taken) and ${usage.release} then -1
            when (select swept from taken) and not ${usage.release} then 1
            else 0 end),
          tokens_reserved = greatest(0, tokens_reserved - coalesce((select tokens from claimed), 0)),
          tokens_used = tokens_used + (case when (select claimed or swept from taken) then ${usage.tokens}::bigint else 0 end),
          cost_micros = cost_micros + (case when (select claimed or swept from taken) then ${usage.costMicros}::bigint else 0 end)
        where user_id = ${userId} and day = ${day}
        returning 1
      ), budget as (
        update budget_daily set
          reserved_micros = greatest(0, reserved_micros - coalesce((select cost_micros from claimed), 0)),
          cost_micros = cost_micros + (case when (select claimed or swept from taken) then ${usage.costMicros}::bigint else 0 end)
        where day = ${day} and (select count(*) from user_usage) >= 0
        returning cost_micros
      )
      select (select cost_micros from budget) as spent`),
  );
  return row?.spent === null || row?.spent === undefined ? null : Number(row.spent);
}

/**
 * Releases reservations whose request never settled (its process died) and writes each one's
 * audit row, outcome `lost`, in the same statement: a reservation is released and audited
 * exactly once, even with several sweepers and a late settle racing. Returns how many.
 */
export async function sweepExpiredReservations(limit = 200): Promise<number> {
  // Outcomes waiting in the outbox first: an expired reservation may be one of theirs, and its
  // real outcome must land before the sweeper would call it `lost`. A Redis that is down does
  // not stop the sweep (it is the last resort); a drained `lost` row would be replaced anyway.
  await drainOutbox().catch((error) => console.error("[guard] outbox drain failed", error));
  const db = await getDb();
  const expired = rowsOf<{ request_id: string }>(
    await db.execute(sql`select request_id from reservations where expires_at < now() order by expires_at limit ${limit}`),
  );
  let released = 0;
  // One reservation per statement, so each takes its rows in the same order as reserve and settle.
  for (const { request_id: requestId } of expired) {
    const [row] = rowsOf<{ released: number }>(
      await db.execute(sql`
        with claimed as (
          delete from reservations where request_id = ${requestId}::uuid and expires_at < now() returning *
        ), user_usage as (
          update usage_daily u set
            requests = greatest(0, u.requests - 1),
            tokens_reserved = greatest(0, u.tokens_reserved - c.tokens)
          from claimed c
          where u.user_id = c.user_id and u.day = c.day
          returning 1
        ), budget as (
          update budget_daily b set reserved_micros = greatest(0, b.reserved_micros - c.cost_micros)
          from claimed c
          where b.day = c.day and (select count(*) from user_usage) >= 0
          returning 1
        ), audit as (
          insert into audit_log (request_id, user_id, action, outcome, model, details)
          select c.request_id, c.user_id, c.action, 'lost', c.model,
            jsonb_build_object('reservedTokens', c.tokens, 'reservedMicros', c.cost_micros, 'reservedAt', c.created_at, 'expiredAt', c.expires_at)
          from claimed c
          where (select count(*) from budget) >= 0
          on conflict (request_id) do nothing
          returning 1
        )
        select (select count(*) from claimed)::int as released, (select count(*) from audit)::int as audited`),
    );
    released += Number(row?.released ?? 0);
  }
  return released;
}
