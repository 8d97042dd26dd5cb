import type { Metadata } from "next";
import Link from "next/link";
import { dateTime, usd } from "@/components/admin/format";
import { auditFilterChoices, listAuditRows } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { auditFilterQuery, parseAuditFilters } from "@/lib/audit-filters";

export const metadata: Metadata = { title: "Audit log" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AuditLogPage({ searchParams }: Props) {
  await requireAdminPage("/admin/audit");
  const filters = parseAuditFilters(await searchParams);
  const [{ rows, nextBefore }, choices] = await Promise.all([listAuditRows(filters), auditFilterChoices()]);
  const withoutCursor = { ...filters, before: undefined };
  return (
    <>
      <h1>Audit log</h1>
      <form className="filters card" method="get" action="/admin/audit" aria-label="Filters">
        <label>
          User email
          <input name="email" type="email" defaultValue={filters.email ?? ""} />
        </label>
        <label>
          Feature
          <select name="action" defaultValue={filters.action ?? ""}>
            <option value="">any</option>
            {choices.actions.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={filters.outcome ?? ""}>
            <option value="">any</option>
            {choices.outcomes.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select name="model" defaultValue={filters.model ?? ""}>
            <option value="">any</option>
            {choices.models.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Cache hit
          <select name="cache" defaultValue={filters.cacheHit === undefined ? "" : filters.cacheHit ? "yes" : "no"}>
            <option value="">any</option>
            <option value="yes">yes</option>
            <option value="no">no</option>
          </select>
        </label>
        <label>
          From (UTC)
          <input name="from" type="date" defaultValue={filters.from ?? ""} />
        </label>
        <label>
          To (UTC)
          <input name="to" type="date" defaultValue={filters.to ?? ""} />
        </label>
        <div className="inline-form">
          <button type="submit" className="button">
            Filter
          </button>
          <Link href="/admin/audit" className="button secondary">
            Clear
          </Link>
        </div>
      </form>
      <p>
        <a href={`/admin/audit/export${auditFilterQuery(withoutCursor)}`} download>
          Export these rows as CSV
        </a>
      </p>
      <div className="table-wrap">
        <table className="data" data-testid="audit-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>User</th>
              <th>Feature</th>
              <th>Outcome</th>
              <th>Model</th>
              <th className="num">Tokens</th>
              <th className="num">Cost</th>
              <th>Cache</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="audit-row" data-request-id={row.requestId}>
                <td>
                  <Link href={`/admin/audit/${row.id}`}>{dateTime(row.createdAt)}</Link>
                </td>
                <td className="truncate">{row.email ?? row.userId ?? "—"}</td>
                <td>{row.action}</td>
                <td data-testid="audit-outcome">{row.outcome}</td>
                <td>{row.model ?? "—"}</td>
                <td className="num">{(row.inputTokens + row.outputTokens).toLocaleString("en-US")}</td>
                <td className="num">{usd(row.costMicros)}</td>
                <td>{row.cacheHit ? "hit" : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="hint">No rows match these filters.</p>}
      <div className="inline-form">
        {filters.before !== undefined && (
          <Link href={`/admin/audit${auditFilterQuery(withoutCursor)}`} className="button secondary">
            Newest
          </Link>
        )}
        {nextBefore !== null && (
          <Link href={`/admin/audit${auditFilterQuery(withoutCursor, { before: nextBefore })}`} className="button secondary">
            Older
          </Link>
        )}
      </div>
    </>
  );
}
