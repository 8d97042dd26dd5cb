import "server-only";
import { and, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { spendTotals } from "@/db/queries/console";
import { budgetAlerts, type BudgetPeriod } from "@/db/schema";
import { currentBudgets } from "@/lib/budgets";
import { env } from "@/lib/env";

export const BUDGET_ALERT_THRESHOLDS = [50, 80, 100] as const;

export type BudgetAlert = typeof budgetAlerts.$inferSelect;

const DELIVERY_ATTEMPTS = 3;
/**
 * How long a delivery is claimed: longer than DELIVERY_ATTEMPTS tries with their 5 s timeouts and
 * backoff (about 17 s), so a claim only lapses when its holder died mid-delivery.
 */
const DELIVERY_CLAIM_SECONDS = 60;

/**
 * Records each threshold of the daily and the monthly budget that spend has crossed, once per
 * period, threshold and budget: the primary key makes every later insert a no-op, whichever
 * instance or concurrent request tries, so only the one insert that wins delivers the alert (it
 * is inserted already claimed, so the cron and the console leave it alone). A raised budget is
 * a new key: crossing its lines alerts again. Runs after the response, and from the
 * housekeeping cron for spend the outbox and the sweeper applied. `spentTodayMicros` is the
 * day's spend.
 */
export async function recordBudgetAlerts(
  day: string,
  spentTodayMicros: number,
): Promise<Array<Pick<BudgetAlert, "period" | "thresholdPercent">>> {
  const budgets = await currentBudgets(day);
  if (budgets.daily.micros === null && budgets.monthly.micros === null) return [];
  const monthMicros = budgets.monthly.micros === null ? 0 : (await spendTotals(day)).monthMicros;
  const candidates: Array<typeof budgetAlerts.$inferInsert> = [];
  for (const [period, spent] of [
    ["daily", spentTodayMicros],
    ["monthly", monthMicros],
  ] as Array<[BudgetPeriod, number]>) {
    const budget = budgets[period];
    if (budget.micros === null) continue;
    for (const thresholdPercent of BUDGET_ALERT_THRESHOLDS) {
      if (spent * 100 >= budget.micros * thresholdPercent) {
        candidates.push({
          period,
          day: budget.start,
          thresholdPercent,
          spentMicros: spent,
          budgetMicros: budget.micros,
          deliveryClaimedUntil: new Date(Date.now() + DELIVERY_CLAIM_SECONDS * 1000),
        });
      }
    }
  }
  if (candidates.length === 0) return [];
  const db = await getDb();
  const fresh = await db.insert(budgetAlerts).values(candidates).onConflictDoNothing().returning();
  for (const alert of fresh) await deliverBudgetAlert(alert, DELIVERY_ATTEMPTS, { claimed: true });
  return fresh.map(({ period, thresholdPercent }) => ({ period, thresholdPercent }));
}

/** The housekeeping job: alerts for spend applied without a settle (the outbox, the sweeper). */
export async function checkBudgetAlerts(day = new Date().toISOString().slice(0, 10)): Promise<number> {
  return (await recordBudgetAlerts(day, (await spendTotals(day)).todayMicros)).length;
}

export function alertText(alert: Pick<BudgetAlert, "period" | "day" | "thresholdPercent" | "spentMicros" | "budgetMicros">): string {
  const when = alert.period === "daily" ? `on ${alert.day}` : `in ${alert.day.slice(0, 7)}`;
  const stop = alert.period === "daily" ? "midnight UTC" : "the end of the month (UTC)";
  return `AI ${alert.period} budget ${alert.thresholdPercent}% used ${when}: $${(alert.spentMicros / 1e6).toFixed(2)} of $${(alert.budgetMicros / 1e6).toFixed(2)}.${
    alert.thresholdPercent >= 100 ? ` Generation is stopped for everyone but admins until ${stop}.` : ""
  }`;
}

/**
 * POSTs one alert to BUDGET_ALERT_WEBHOOK_URL as Slack-compatible JSON (`text`, plus the
 * figures), retrying with backoff; records the attempt count, the last error and when it was
 * delivered. Also what the console's retry button and the housekeeping cron call: each first
 * claims the delivery in one conditional UPDATE (not delivered, nobody else's live claim), so
 * when the cron and the console (or two instances) try at once, one sends and the other gets
 * false. `claimed`: the caller inserted the row already claimed.
 */
export async function deliverBudgetAlert(
  alert: BudgetAlert,
  attempts = DELIVERY_ATTEMPTS,
  { claimed = false }: { claimed?: boolean } = {},
): Promise<boolean> {
  const text = alertText(alert);
  const url = env.BUDGET_ALERT_WEBHOOK_URL;
  if (!url) {
    console.warn(`[budget] ${text}`);
    return false;
  }
  const db = await getDb();
  const key = and(
    eq(budgetAlerts.period, alert.period),
    eq(budgetAlerts.day, alert.day),
    eq(budgetAlerts.thresholdPercent, alert.thresholdPercent),
    eq(budgetAlerts.budgetMicros, alert.budgetMicros),
  );
  if (!claimed) {
    const mine = await db
      .update(budgetAlerts)
      .set({ deliveryClaimedUntil: sql`now() + make_interval(secs => ${DELIVERY_CLAIM_SECONDS})` })
      .where(
        and(
          key,
          isNull(budgetAlerts.deliveredAt),
          or(isNull(budgetAlerts.deliveryClaimedUntil), lt(budgetAlerts.deliveryClaimedUntil, sql`now()`)),
        ),
      )
      .returning({ period: budgetAlerts.period });
    if (mine.length === 0) return false; // delivered already, or someone is delivering it now
  }
  console.warn(`[budget] ${text}`);
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          text,
          period: alert.period,
          day: alert.day,
          thresholdPercent: alert.thresholdPercent,
          spentMicros: alert.spentMicros,
          budgetMicros: alert.budgetMicros,
        }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) {
        await db
          .update(budgetAlerts)
          .set({
            deliveredAt: new Date(),
            deliveryAttempts: sql`${budgetAlerts.deliveryAttempts} + ${attempt}`,
            lastError: null,
            deliveryClaimedUntil: null,
          })
          .where(key);
        return true;
      }
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** (attempt - 1)));
  }
  console.error(`[budget] alert webhook failed: ${lastError}`);
  await db
    .update(budgetAlerts)
    .set({ deliveryAttempts: sql`${budgetAlerts.deliveryAttempts} + ${attempts}`, lastError, deliveryClaimedUntil: null })
    .where(key);
  return false;
}

/** Sends again the alerts of the last two days that never reached the webhook; returns how many got through. */
export async function redeliverFailedAlerts(now = new Date()): Promise<number> {
  if (!env.BUDGET_ALERT_WEBHOOK_URL) return 0;
  const db = await getDb();
  const since = new Date(now.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
  const failed = await db
    .select()
    .from(budgetAlerts)
    .where(and(isNull(budgetAlerts.deliveredAt), gte(budgetAlerts.createdAt, new Date(`${since}T00:00:00Z`))))
    .limit(20);
  let delivered = 0;
  for (const alert of failed) if (await deliverBudgetAlert(alert, 1)) delivered++;
  return delivered;
}

export async function findBudgetAlert(
  period: BudgetPeriod,
  day: string,
  thresholdPercent: number,
  budgetMicros: number,
): Promise<BudgetAlert | null> {
  const db = await getDb();
  const [alert] = await db
    .select()
    .from(budgetAlerts)
    .where(
      and(
        eq(budgetAlerts.period, period),
        eq(budgetAlerts.day, day),
        eq(budgetAlerts.thresholdPercent, thresholdPercent),
        eq(budgetAlerts.budgetMicros, budgetMicros),
      ),
    )
    .limit(1);
  return alert ?? null;
}

export async function listBudgetAlerts(limit = 100): Promise<BudgetAlert[]> {
  const db = await getDb();
  return db
    .select()
    .from(budgetAlerts)
    .orderBy(sql`${budgetAlerts.createdAt} desc`)
    .limit(limit);
}
