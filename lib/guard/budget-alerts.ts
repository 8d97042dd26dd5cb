import "server-only";
import { getDb } from "@/db";
import { budgetAlerts } from "@/db/schema";
import { env } from "@/lib/env";

export const BUDGET_ALERT_THRESHOLDS = [50, 80, 100] as const;

export function dailyBudgetMicros(): number | null {
  return env.DAILY_BUDGET_USD === undefined || env.DAILY_BUDGET_USD === "off" ? null : Math.round(env.DAILY_BUDGET_USD * 1_000_000);
}

/**
 * Records each threshold the day's spend has crossed, once per day and threshold (the primary
 * key makes a second insert a no-op, whichever instance tries), and posts the new ones to the
 * webhook. Runs after the response.
 */
export async function recordBudgetAlerts(day: string, spentMicros: number): Promise<number[]> {
  const budget = dailyBudgetMicros();
  if (budget === null) return [];
  const crossed = BUDGET_ALERT_THRESHOLDS.filter((percent) => spentMicros * 100 >= budget * percent);
  if (crossed.length === 0) return [];
  const db = await getDb();
  const inserted = await db
    .insert(budgetAlerts)
    .values(crossed.map((thresholdPercent) => ({ day, thresholdPercent })))
    .onConflictDoNothing()
    .returning({ thresholdPercent: budgetAlerts.thresholdPercent });
  const fresh = inserted.map((row) => row.thresholdPercent);
  for (const percent of fresh) await postBudgetAlert(day, percent, spentMicros, budget);
  return fresh;
}

async function postBudgetAlert(day: string, percent: number, spentMicros: number, budgetMicros: number) {
  const text = `AI budget ${percent}% used on ${day}: $${(spentMicros / 1e6).toFixed(2)} of $${(budgetMicros / 1e6).toFixed(2)}.${
    percent >= 100 ? " Generation is stopped for everyone but admins until midnight UTC." : ""
  }`;
  console.warn(`[budget] ${text}`);
  if (!env.BUDGET_ALERT_WEBHOOK_URL) return;
  try {
    const response = await fetch(env.BUDGET_ALERT_WEBHOOK_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // `text` makes it readable as-is by Slack-style incoming webhooks.
      body: JSON.stringify({ text, day, thresholdPercent: percent, spentMicros, budgetMicros }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) console.error(`[budget] alert webhook answered ${response.status}`);
  } catch (error) {
    // The alert row is recorded either way; the admin dashboard shows it.
    console.error("[budget] alert webhook failed", error);
  }
}
