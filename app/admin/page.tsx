import type { Metadata } from "next";
import Link from "next/link";
import { BudgetProgress } from "@/components/admin/budget-progress";
import { ms, percent, usd } from "@/components/admin/format";
import { SpendChart } from "@/components/admin/spend-chart";
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
      <h1>Console</h1>
      <section className="card stack" aria-labelledby="spend-heading">
        <h2 id="spend-heading">Spend</h2>
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
        <p className="hint">
          Budgets and alert history: <Link href="/admin/budgets">Budgets</Link>.
        </p>
        <p className="hint" data-testid="outbox-dead-letters">
          Outbox dead letters (request outcomes PostgreSQL refused to store, kept 30 days):{" "}
          <strong>{letters === null ? "unknown (Redis unreachable)" : letters.length}</strong>
        </p>
        {letters && letters.length > 0 && (
          <ul className="hint">
            {letters.map((letter) => (
              <li key={letter.requestId}>
                <code>{letter.requestId}</code> at {letter.at}: {letter.reason}
              </li>
            ))}
          </ul>
        )}
        <p className="hint" data-testid="reservation-breaches">
          Requests settled above their reservation (30 days): <strong>{breaches}</strong>
          {breaches > 0 ? " (charged at most the reservation; the audit rows carry details.reservationBreach)" : ""}
        </p>
      </section>

      <section className="card stack" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Last 30 days</h2>
        <h3 className="chart-title">Spend per day, by model</h3>
        <SpendChart points={series} metric="costMicros" />
        <h3 className="chart-title">Requests per day, by model</h3>
        <SpendChart points={series} metric="requests" />
      </section>

      <div className="console-grid">
        <section className="card" aria-labelledby="outcomes-heading">
          <h2 id="outcomes-heading">Requests by outcome (30 days)</h2>
          <div className="table-wrap">
            <table className="data" data-testid="outcomes">
              <tbody>
                {OUTCOME_GROUPS.map((group) => (
                  <tr key={group} data-outcome={group}>
                    <th scope="row">{group}</th>
                    <td className="num" data-testid={`outcome-${group.replace(/\s+/g, "-")}`}>
                      {outcomes.byGroup[group].toLocaleString("en-US")}
                    </td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">total</th>
                  <td className="num" data-testid="outcome-total">
                    {outcomes.total.toLocaleString("en-US")}
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
        </section>

        <section className="card" aria-labelledby="cache-heading">
          <h2 id="cache-heading">Cache and latency</h2>
          <dl className="facts">
            <dt>Cache hit rate</dt>
            <dd data-testid="cache-hit-rate">{percent(outcomes.cacheHitRate)}</dd>
            <dt>Saved by the cache</dt>
            <dd data-testid="cache-saved">{usd(outcomes.savedMicros)} (estimated)</dd>
            <dt>Of which semantic hits</dt>
            <dd data-testid="semantic-cache">
              {semantic.hits.toLocaleString("en-US")} hits, {usd(semantic.savedMicros)} saved (embeddings {usd(semantic.embeddingMicros)})
            </dd>
            <dt>Spend (30 days)</dt>
            <dd data-testid="spend-30d">{usd(outcomes.costMicros)}</dd>
            <dt>Guard p50 / p95</dt>
            <dd>
              {ms(latency.guardP50)} / {ms(latency.guardP95)}
            </dd>
            <dt>First token p50 / p95</dt>
            <dd>
              {ms(latency.firstTokenP50)} / {ms(latency.firstTokenP95)}
            </dd>
          </dl>
          <p className="hint">Latency over the last 24 hours&apos; {latency.requests.toLocaleString("en-US")} model calls.</p>
        </section>
      </div>

      <div className="console-grid">
        <section className="card" aria-labelledby="top-users-heading">
          <h2 id="top-users-heading">Top users by cost (30 days)</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>User</th>
                  <th className="num">Requests</th>
                  <th className="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {topUsers.map((user) => (
                  <tr key={user.userId}>
                    <td className="truncate">
                      <Link href={`/admin/audit?email=${encodeURIComponent(user.email ?? "")}`}>{user.email ?? user.userId}</Link>
                    </td>
                    <td className="num">{user.requests.toLocaleString("en-US")}</td>
                    <td className="num">{usd(user.costMicros)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section className="card" aria-labelledby="models-heading">
          <h2 id="models-heading">Spend by model (30 days)</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>Model</th>
                  <th className="num">Requests</th>
                  <th className="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {outcomes.byModel.map((row) => (
                  <tr key={row.model}>
                    <td>{row.model}</td>
                    <td className="num">{row.requests.toLocaleString("en-US")}</td>
                    <td className="num">{usd(row.costMicros)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>

      <section className="card" aria-labelledby="votes-heading">
        <h2 id="votes-heading">Down-vote rate (30 days)</h2>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>Feature</th>
                <th>Model</th>
                <th className="num">Served</th>
                <th className="num">Up</th>
                <th className="num">Down</th>
                <th className="num">Down-vote rate</th>
              </tr>
            </thead>
            <tbody>
              {votes.map((row) => (
                <tr key={`${row.action}:${row.model}`}>
                  <td>{row.action}</td>
                  <td>{row.model}</td>
                  <td className="num">{row.served.toLocaleString("en-US")}</td>
                  <td className="num">{row.up}</td>
                  <td className="num">{row.down}</td>
                  <td className="num">{percent(row.served ? row.down / row.served : null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="hint">
          The answers: <Link href="/admin/feedback">Feedback</Link>.
        </p>
      </section>
    </>
  );
}
