import "server-only";
import { and, eq, or } from "drizzle-orm";
import { getDb } from "@/db";
import { budgetOverrides, type BudgetPeriod } from "@/db/schema";
import { env } from "@/lib/env";
import { utcDay } from "@/lib/time";

// The global budgets: DAILY_BUDGET_USD and MONTHLY_BUDGET_USD by default, or what an admin set
// for the current day / month on /admin/budgets (a row in budget_overrides, which ends with
// its period). Money in micro-dollars; null = no cap.

export type Budget = { period: BudgetPeriod; start: string; micros: number | null; defaultMicros: number | null; overridden: boolean };

// "off" (DAILY_BUDGET_USD only) is an explicit "no cap".
const toMicros = (usd: number | "off" | undefined) => (usd === undefined || usd === "off" ? null : Math.round(usd * 1_000_000));

export const defaultBudgetMicros = (period: BudgetPeriod) => toMicros(period === "daily" ? env.DAILY_BUDGET_USD : env.MONTHLY_BUDGET_USD);

/** The first day of the period that contains `day`. */
export const periodStart = (period: BudgetPeriod, day = utcDay()) => (period === "daily" ? day : `${day.slice(0, 7)}-01`);

export async function currentBudgets(day = utcDay()): Promise<Record<BudgetPeriod, Budget>> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(budgetOverrides)
    .where(
      or(
        and(eq(budgetOverrides.period, "daily"), eq(budgetOverrides.day, periodStart("daily", day))),
        and(eq(budgetOverrides.period, "monthly"), eq(budgetOverrides.day, periodStart("monthly", day))),
      ),
    );
  const budget = (period: BudgetPeriod): Budget => {
    const override = rows.find((row) => row.period === period);
    const defaultMicros = defaultBudgetMicros(period);
    return {
      period,
      start: periodStart(period, day),
      micros: override ? override.budgetMicros : defaultMicros,
      defaultMicros,
      overridden: Boolean(override),
    };
  };
  return { daily: budget("daily"), monthly: budget("monthly") };
}

/** Sets (or, with null, clears) the budget of the current day or month. */
export async function setBudgetOverride(period: BudgetPeriod, micros: number | null, setBy: string, day = utcDay()): Promise<void> {
  const db = await getDb();
  const start = periodStart(period, day);
  if (micros === null) {
    await db.delete(budgetOverrides).where(and(eq(budgetOverrides.period, period), eq(budgetOverrides.day, start)));
    return;
  }
  const values = { budgetMicros: micros, setBy, setAt: new Date() };
  await db
    .insert(budgetOverrides)
    .values({ period, day: start, ...values })
    .onConflictDoUpdate({ target: [budgetOverrides.period, budgetOverrides.day], set: values });
}
