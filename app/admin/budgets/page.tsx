import type { Metadata } from "next";
import { AdminForm } from "@/components/admin/admin-form";
import { BudgetProgress } from "@/components/admin/budget-progress";
import { dateTime, usd } from "@/components/admin/format";
import { spendTotals } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { currentBudgets } from "@/lib/budgets";
import { env } from "@/lib/env";
import { listBudgetAlerts } from "@/lib/guard/budget-alerts";
import { retryBudgetAlertAction, setBudgetAction } from "../actions";

export const metadata: Metadata = { title: "Budgets" };

export default async function AdminBudgetsPage() {
  await requireAdminPage("/admin/budgets");
  const [budgets, spend, alerts] = await Promise.all([currentBudgets(), spendTotals(), listBudgetAlerts()]);
  const periods = [
    {
      budget: budgets.daily,
      label: "Today",
      name: "daily",
      spent: spend.todayMicros,
      reserved: spend.todayReservedMicros,
      variable: "DAILY_BUDGET_USD",
    },
    {
      budget: budgets.monthly,
      label: "This month",
      name: "monthly",
      spent: spend.monthMicros,
      reserved: spend.monthReservedMicros,
      variable: "MONTHLY_BUDGET_USD",
    },
  ] as const;
  return (
    <>
      <h1>Budgets</h1>
      <p className="hint">
        Generation stops for everyone but admins when a budget is spent. A change here holds for the current {""}
        day or month only; then {`DAILY_BUDGET_USD`} / {`MONTHLY_BUDGET_USD`} apply again. Every change is audited.
      </p>
      {periods.map(({ budget, label, name, spent, reserved, variable }) => (
        <section key={name} className="card stack" aria-labelledby={`${name}-heading`}>
          <h2 id={`${name}-heading`}>
            {label} ({budget.start}
            {name === "monthly" ? " onwards" : ""})
          </h2>
          <BudgetProgress label={label} spentMicros={spent} reservedMicros={reserved} budgetMicros={budget.micros} />
          <p className="hint">
            {budget.overridden
              ? `Set by an admin for this ${name === "daily" ? "day" : "month"}; the default (${variable}) is ${budget.defaultMicros === null ? "no cap" : usd(budget.defaultMicros)}.`
              : `From ${variable}${budget.defaultMicros === null ? " (not set: no cap)" : ""}.`}
          </p>
          <AdminForm action={setBudgetAction} label="Set budget" fields={{ period: name }} success="Saved." testId={`set-${name}-budget`}>
            <input
              name="usd"
              type="number"
              min="0.000001"
              step="any"
              inputMode="decimal"
              placeholder="USD (empty: default)"
              aria-label={`${label} budget in USD`}
            />
          </AdminForm>
        </section>
      ))}
      <section className="card" aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Alert history</h2>
        <p className="hint">
          {env.BUDGET_ALERT_WEBHOOK_URL
            ? "Alerts are posted to BUDGET_ALERT_WEBHOOK_URL (Slack-compatible JSON), retried on failure."
            : "BUDGET_ALERT_WEBHOOK_URL is not set: alerts are recorded here and in the server log only."}
        </p>
        <div className="table-wrap">
          <table className="data" data-testid="budget-alerts">
            <thead>
              <tr>
                <th>Period</th>
                <th className="num">Threshold</th>
                <th>Crossed</th>
                <th className="num">Spent / budget</th>
                <th>Delivery</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => (
                <tr key={`${alert.period}:${alert.day}:${alert.thresholdPercent}:${alert.budgetMicros}`}>
                  <td>
                    {alert.period} {alert.period === "daily" ? alert.day : alert.day.slice(0, 7)}
                  </td>
                  <td className="num">{alert.thresholdPercent}%</td>
                  <td>{dateTime(alert.createdAt)}</td>
                  <td className="num">
                    {usd(alert.spentMicros)} / {usd(alert.budgetMicros)}
                  </td>
                  <td>
                    {alert.deliveredAt
                      ? `delivered ${dateTime(alert.deliveredAt)}`
                      : alert.deliveryAttempts
                        ? `failed (${alert.deliveryAttempts} attempts): ${alert.lastError ?? ""}`
                        : "not sent"}
                  </td>
                  <td>
                    {!alert.deliveredAt && env.BUDGET_ALERT_WEBHOOK_URL && (
                      <AdminForm
                        action={retryBudgetAlertAction}
                        label="Retry"
                        fields={{
                          period: alert.period,
                          day: alert.day,
                          thresholdPercent: String(alert.thresholdPercent),
                          budgetMicros: String(alert.budgetMicros),
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {alerts.length === 0 && <p className="hint">No budget threshold has been crossed yet.</p>}
      </section>
    </>
  );
}
