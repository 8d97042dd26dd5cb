import { BarChart3Icon, InboxIcon, MessageSquareIcon, UsersIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { BudgetProgress } from "@/components/admin/budget-progress";
import { NumCell, NumHead, UserLink } from "@/components/admin/cells";
import { ChartTable } from "@/components/admin/chart-table";
import { CostTable } from "@/components/admin/cost-table";
import { EmptyState } from "@/components/admin/empty-state";
import { count, ms, percent } from "@/components/admin/format";
import { Money } from "@/components/admin/money";
import { PercentilesTerm } from "@/components/admin/percentiles";
import { ProviderModelSpend } from "@/components/admin/provider-model-spend";
import { Section } from "@/components/admin/section";
import { SpendChart } from "@/components/admin/spend-chart";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import {
  dailySeries,
  feedbackRates,
  latencySummary,
  OUTCOME_GROUPS,
  outcomeSummary,
  reservationBreaches,
  semanticCacheSummary,
  spendTotals,
  topUsersByCost,
} from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { deadLetters } from "@/lib/guard/outbox";
import { currentBudgets } from "@/lib/budgets";

export const metadata: Metadata = { title: "Console" };

const NUM = "text-right tabular-nums";

export default async function AdminOverviewPage() {
  await requireAdminPage("/admin");
  const [spend, budgets, series, outcomes, latency, topUsers, votes, semantic, breaches, letters] = await Promise.all([
    spendTotals(),
    currentBudgets(),
    dailySeries(30),
    outcomeSummary(30),
    latencySummary(),
    topUsersByCost(30, 10),
    feedbackRates(30),
    semanticCacheSummary(30),
    reservationBreaches(30),
    deadLetters(10).catch(() => null), // Redis down: the page still shows what PostgreSQL has
  ]);
  return (
    <>
      <PageHeader
        title="Console"
        description="Spend, outcomes and the people behind them, over the last 30 days unless a card says otherwise."
      />

      <Section
        id="spend"
        title="Spend"
        description={
          <Link href="/admin/budgets" className="underline underline-offset-4">
            Budgets and alert history
          </Link>
        }
      >
        <BudgetProgress
          label="Today"
          spentMicros={spend.todayMicros}
          reservedMicros={spend.todayReservedMicros}
          budgetMicros={budgets.daily.micros}
        />
        <BudgetProgress
          label="This month"
          spentMicros={spend.monthMicros}
          reservedMicros={spend.monthReservedMicros}
          budgetMicros={budgets.monthly.micros}
        />
        <dl className="grid grid-cols-[1fr_auto] gap-x-6 gap-y-2 text-sm">
          <dt className="text-muted-foreground">Outbox dead letters (request outcomes PostgreSQL refused to store, kept 30 days)</dt>
          <dd data-testid="outbox-dead-letters" className="font-medium tabular-nums">
            {letters === null ? "unknown (Redis unreachable)" : letters.length}
          </dd>
          <dt className="text-muted-foreground">Requests settled above their reservation (charged at most the reservation)</dt>
          <dd data-testid="reservation-breaches" className="font-medium tabular-nums">
            {breaches}
          </dd>
        </dl>
        {letters && letters.length > 0 && (
          <ul className="grid gap-1 text-sm text-muted-foreground">
            {letters.map((letter) => (
              <li key={letter.requestId} className="break-all">
                <code className="font-mono text-xs">{letter.requestId}</code> at {letter.at}: {letter.reason}
              </li>
            ))}
          </ul>
        )}
        {breaches > 0 && <p className="text-sm text-muted-foreground">Their audit rows carry details.reservationBreach.</p>}
      </Section>

      <Section id="chart" title="Last 30 days">
        {series.length === 0 ? (
          <EmptyState icon={BarChart3Icon} title="No model calls in the last 30 days">
            Spend and requests per day, by model, appear here after the first request reaches a model.
          </EmptyState>
        ) : (
          <>
            <h3 className="text-sm font-medium text-muted-foreground">Spend per day, by model</h3>
            <SpendChart
              points={series}
              metric="costMicros"
              label="Spend per day, stacked by model; the same figures are in the table below"
            />
            <h3 className="text-sm font-medium text-muted-foreground">Requests per day, by model</h3>
            <SpendChart
              points={series}
              metric="requests"
              label="Requests per day, stacked by model; the same figures are in the table below"
            />
            <ChartTable points={series} label="Requests and spend per day and model" />
          </>
        )}
      </Section>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section id="outcomes" title="Requests by outcome">
          <Table data-testid="outcomes">
            <TableBody>
              {OUTCOME_GROUPS.map((group) => (
                <TableRow key={group} data-outcome={group}>
                  <TableHead scope="row" className="normal-case">
                    {group}
                  </TableHead>
                  <NumCell value={outcomes.byGroup[group]} data-testid={`outcome-${group.replace(/\s+/g, "-")}`} />
                </TableRow>
              ))}
              <TableRow className="font-medium">
                <TableHead scope="row" className="text-foreground normal-case">
                  total
                </TableHead>
                <NumCell value={outcomes.total} data-testid="outcome-total" />
              </TableRow>
            </TableBody>
          </Table>
        </Section>

        <Section
          id="cache"
          title="Cache and latency"
          description={`Latency over the last 24 hours' ${count(latency.requests)} model calls.`}
        >
          <dl className="grid grid-cols-[1fr_auto] gap-x-4 gap-y-2 text-sm">
            <dt className="text-muted-foreground">Cache hit rate</dt>
            <dd className={NUM} data-testid="cache-hit-rate">
              {percent(outcomes.cacheHitRate)}
            </dd>
            <dt className="text-muted-foreground">Saved by the cache (estimated)</dt>
            <dd className={NUM} data-testid="cache-saved">
              <Money micros={outcomes.savedMicros} />
            </dd>
            <dt className="text-muted-foreground">Semantic hits</dt>
            <dd className={NUM} data-testid="semantic-cache">
              {count(semantic.hits)}, <Money micros={semantic.savedMicros} /> saved
            </dd>
            <dt className="text-muted-foreground">Embeddings for the semantic cache</dt>
            <dd className={NUM}>
              <Money micros={semantic.embeddingMicros} />
            </dd>
            <dt className="text-muted-foreground">Spend</dt>
            <dd className={NUM}>
              <Money micros={outcomes.costMicros} data-testid="spend-30d" />
            </dd>
            <dt className="text-muted-foreground">
              <PercentilesTerm label="Guard" />
            </dt>
            <dd className={NUM}>
              {ms(latency.guardP50)} / {ms(latency.guardP95)}
            </dd>
            <dt className="text-muted-foreground">
              <PercentilesTerm label="First token" />
            </dt>
            <dd className={NUM}>
              {ms(latency.firstTokenP50)} / {ms(latency.firstTokenP95)}
            </dd>
          </dl>
        </Section>
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section id="top-users" title="Top users by cost">
          {topUsers.length === 0 ? (
            <EmptyState icon={UsersIcon} title="No usage yet">
              The ten users who cost the most appear here once anyone has made a request.
            </EmptyState>
          ) : (
            <CostTable
              nameHead="User"
              rows={topUsers.map((user) => ({ ...user, key: user.userId, name: <UserLink id={user.userId} email={user.email} /> }))}
            />
          )}
        </Section>

        <Section id="models" title="Spend by model">
          {outcomes.byModel.length === 0 ? (
            <EmptyState icon={InboxIcon} title="No model has answered yet">
              Each model&apos;s requests and cost appear here after its first answer.
            </EmptyState>
          ) : (
            <CostTable
              nameHead="Model"
              scrollLabel="Spend by model"
              rows={outcomes.byModel.map((row) => ({ ...row, key: row.model, name: <Badge variant="outline">{row.model}</Badge> }))}
            />
          )}
        </Section>
      </div>

      <ProviderModelSpend days={30} />

      <Section
        id="votes"
        title="Down-vote rate"
        description={
          <>
            Votes on served answers, per feature and model. The answers themselves:{" "}
            <Link href="/admin/feedback" className="underline underline-offset-4">
              Feedback
            </Link>
            .
          </>
        }
      >
        {votes.length === 0 ? (
          <EmptyState icon={MessageSquareIcon} title="No answers served yet">
            Each feature and model appears here with its up- and down-votes once it has served an answer.
          </EmptyState>
        ) : (
          <Table pinFirstColumn scrollLabel="Down-vote rate">
            <TableHeader>
              <TableRow>
                <TableHead>Feature</TableHead>
                <TableHead>Model</TableHead>
                <NumHead>Served</NumHead>
                <NumHead>Up</NumHead>
                <NumHead>Down</NumHead>
                <NumHead>Down-vote rate</NumHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {votes.map((row) => (
                <TableRow key={`${row.action}:${row.model}`}>
                  <TableCell>{row.action}</TableCell>
                  <TableCell>{row.model}</TableCell>
                  <NumCell value={row.served} />
                  <NumCell value={row.up} />
                  <NumCell value={row.down} />
                  <NumCell>{percent(row.served ? row.down / row.served : null)}</NumCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
    </>
  );
}
