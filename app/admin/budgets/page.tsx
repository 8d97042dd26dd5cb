import { BellOffIcon } from "lucide-react";
import type { Metadata } from "next";
import { AdminForm } from "@/components/admin/admin-form";
import { BudgetProgress } from "@/components/admin/budget-progress";
import { EmptyState } from "@/components/admin/empty-state";
import { dateTime, usd } from "@/components/admin/format";
import { Money } from "@/components/admin/money";
import { Section } from "@/components/admin/section";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
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
      <PageHeader
        title="Budgets"
        description="Generation stops for everyone but admins when a budget is spent. A change here holds for the current day or month only; then DAILY_BUDGET_USD / MONTHLY_BUDGET_USD apply again. Every change is audited."
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        {periods.map(({ budget, label, name, spent, reserved, variable }) => (
          <Section
            key={name}
            id={name}
            title={`${label} (${budget.start}${name === "monthly" ? " onwards" : ""})`}
            description={
              budget.overridden
                ? `Set by an admin for this ${name === "daily" ? "day" : "month"}; the default (${variable}) is ${budget.defaultMicros === null ? "no cap" : usd(budget.defaultMicros)}.`
                : `From ${variable}${budget.defaultMicros === null ? " (not set: no cap)" : ""}.`
            }
          >
            <BudgetProgress label={label} spentMicros={spent} reservedMicros={reserved} budgetMicros={budget.micros} />
            <AdminForm
              action={setBudgetAction}
              label="Set budget"
              fields={{ period: name }}
              success="Saved."
              testId={`set-${name}-budget`}
              className="flex flex-wrap items-end gap-2"
            >
              <div className="grid min-w-0 flex-1 gap-1.5">
                <label htmlFor={`${name}-budget`} className="text-sm font-medium">
                  {label} budget in USD
                </label>
                <Input
                  id={`${name}-budget`}
                  name="usd"
                  type="number"
                  min="0.000001"
                  step="any"
                  inputMode="decimal"
                  placeholder="empty: the default"
                  className="h-8"
                />
              </div>
            </AdminForm>
          </Section>
        ))}
      </div>
      <Section
        id="alerts"
        title="Alert history"
        description={
          env.BUDGET_ALERT_WEBHOOK_URL
            ? "Alerts are posted to BUDGET_ALERT_WEBHOOK_URL (Slack-compatible JSON), retried on failure."
            : "BUDGET_ALERT_WEBHOOK_URL is not set: alerts are recorded here and in the server log only."
        }
      >
        {alerts.length === 0 ? (
          <EmptyState icon={BellOffIcon} title="No threshold crossed yet">
            Each time spend crosses 50 %, 80 % or 100 % of a budget, the crossing is recorded here once, with its delivery.
          </EmptyState>
        ) : (
          <Table pinFirstColumn scrollLabel="Alert history" data-testid="budget-alerts">
            <TableHeader>
              <TableRow>
                <TableHead>Period</TableHead>
                <TableHead className="text-right">Threshold</TableHead>
                <TableHead>Crossed</TableHead>
                <TableHead className="text-right">Spent / budget</TableHead>
                <TableHead>Delivery</TableHead>
                <TableHead>
                  <span className="sr-only">Retry</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {alerts.map((alert) => (
                <TableRow key={`${alert.period}:${alert.day}:${alert.thresholdPercent}:${alert.budgetMicros}`}>
                  <TableCell className="tabular-nums">
                    {alert.period} {alert.period === "daily" ? alert.day : alert.day.slice(0, 7)}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{alert.thresholdPercent}%</TableCell>
                  <TableCell className="tabular-nums">{dateTime(alert.createdAt)}</TableCell>
                  <TableCell className="text-right">
                    <Money micros={alert.spentMicros} /> / <Money micros={alert.budgetMicros} />
                  </TableCell>
                  <TableCell className="max-w-72 truncate">
                    {alert.deliveredAt ? (
                      <>
                        <Badge variant="success">delivered</Badge>{" "}
                        <span className="text-muted-foreground">{dateTime(alert.deliveredAt)}</span>
                      </>
                    ) : alert.deliveryAttempts ? (
                      <span title={alert.lastError ?? undefined}>
                        <Badge variant="destructive">failed</Badge> ({alert.deliveryAttempts} attempts): {alert.lastError ?? ""}
                      </span>
                    ) : (
                      <Badge variant="outline">not sent</Badge>
                    )}
                  </TableCell>
                  <TableCell>
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
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
    </>
  );
}
