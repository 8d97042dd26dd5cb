import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { dateTime, usd } from "@/components/admin/format";
import { getAuditRow } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Audit row" };

type Props = { params: Promise<{ id: string }> };

export default async function AuditRowPage({ params }: Props) {
  const { id } = await params;
  await requireAdminPage(`/admin/audit/${id}`);
  if (!/^\d{1,18}$/.test(id)) notFound();
  const row = await getAuditRow(Number(id));
  if (!row) notFound();
  const { timings, ...otherDetails } = (row.details ?? {}) as { timings?: Record<string, number> } & Record<string, unknown>;
  return (
    <>
      <p>
        <Link href="/admin/audit">← Audit log</Link>
      </p>
      <h1>Request {row.requestId.slice(0, 8)}</h1>
      <section className="card">
        <dl className="facts" data-testid="audit-detail">
          <dt>Request id</dt>
          <dd data-testid="audit-request-id">{row.requestId}</dd>
          <dt>Time</dt>
          <dd>{dateTime(row.createdAt)}</dd>
          <dt>User</dt>
          <dd>{row.email ? <Link href={`/admin/users?q=${encodeURIComponent(row.email)}`}>{row.email}</Link> : (row.userId ?? "—")}</dd>
          <dt>Feature</dt>
          <dd>{row.action}</dd>
          <dt>Outcome</dt>
          <dd data-testid="audit-detail-outcome">{row.outcome}</dd>
          <dt>Model</dt>
          <dd>{row.model ?? "—"}</dd>
          <dt>Tokens</dt>
          <dd>
            {row.inputTokens.toLocaleString("en-US")} in, {row.outputTokens.toLocaleString("en-US")} out
          </dd>
          <dt>Cost</dt>
          <dd>{usd(row.costMicros)}</dd>
          <dt>Cache hit</dt>
          <dd>{cacheLabel(row.cacheHit, row.details)}</dd>
          <dt>Latency</dt>
          <dd>{row.latencyMs === null ? "—" : `${row.latencyMs} ms`}</dd>
          <dt>Hashed IP</dt>
          <dd>
            <code>{row.ipHash ?? "—"}</code>
          </dd>
          <dt>Prompt hash</dt>
          <dd>
            <code className="truncate">{row.promptHash ?? "—"}</code>
          </dd>
        </dl>
      </section>
      {timings && (
        <section className="card">
          <h2>Timings per step</h2>
          <div className="table-wrap">
            <table className="data" data-testid="audit-timings">
              <tbody>
                {Object.entries(timings).map(([step, value]) => (
                  <tr key={step}>
                    <th scope="row">{step}</th>
                    <td className="num">{value} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <section className="card stack">
        <h2>Prompt and response</h2>
        {row.promptText === null && row.responseText === null ? (
          <p className="hint">
            {env.AUDIT_STORE_TEXT === "on"
              ? "No text on this row (a refusal before the input was read, or cleared after the retention period)."
              : "Text is not stored: set AUDIT_STORE_TEXT=on to keep prompts and responses on audit rows."}
          </p>
        ) : (
          <>
            <h3>Prompt</h3>
            <pre className="text" data-testid="audit-prompt">
              {row.promptText ?? "—"}
            </pre>
            <h3>Response</h3>
            <pre className="text" data-testid="audit-response">
              {row.responseText ?? "—"}
            </pre>
          </>
        )}
      </section>
      {Object.keys(otherDetails).length > 0 && (
        <section className="card">
          <h2>Details</h2>
          <pre className="text">{JSON.stringify(otherDetails, null, 2)}</pre>
        </section>
      )}
    </>
  );
}

/** "yes", or which cache answered: "semantic (similarity 0.9731)" names the near-identical match. */
function cacheLabel(cacheHit: boolean, details: Record<string, unknown> | null): string {
  if (!cacheHit) return "no";
  if (details?.cache === "semantic") return `semantic (similarity ${String(details.similarity)})`;
  return details?.cache === "exact" ? "exact" : "yes";
}
