import { DownloadIcon, SearchXIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/admin/empty-state";
import { count, dateTime } from "@/components/admin/format";
import { Money } from "@/components/admin/money";
import { OutcomeBadge } from "@/components/admin/outcome-badge";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { auditFilterChoices, listAuditRows } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { auditFilterQuery, parseAuditFilters } from "@/lib/audit-filters";

export const metadata: Metadata = { title: "Audit log" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const NUM = "text-right tabular-nums";

function Filter({ label, htmlFor, children }: { label: string; htmlFor: string; children: React.ReactNode }) {
  return (
    <div className="grid min-w-0 gap-1.5">
      <label htmlFor={htmlFor} className="text-sm font-medium">
        {label}
      </label>
      {children}
    </div>
  );
}

function Choices({ id, name, value, options }: { id: string; name: string; value: string; options: string[] }) {
  return (
    <NativeSelect id={id} name={name} defaultValue={value}>
      <option value="">any</option>
      {options.map((option) => (
        <option key={option}>{option}</option>
      ))}
    </NativeSelect>
  );
}

export default async function AuditLogPage({ searchParams }: Props) {
  await requireAdminPage("/admin/audit");
  const filters = parseAuditFilters(await searchParams);
  const [{ rows, nextBefore }, choices] = await Promise.all([listAuditRows(filters), auditFilterChoices()]);
  const withoutCursor = { ...filters, before: undefined };
  const filtered = auditFilterQuery(withoutCursor) !== "";
  return (
    <>
      <PageHeader title="Audit log" description="One row per request, refused or served, and per admin action. Newest first.">
        <a href={`/admin/audit/export${auditFilterQuery(withoutCursor)}`} download className={buttonVariants({ variant: "outline" })}>
          <DownloadIcon aria-hidden />
          Export {filtered ? "these rows" : "all rows"} as CSV
        </a>
      </PageHeader>
      <Card className="py-4">
        <CardContent className="px-4">
          <form
            className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-8 lg:items-end"
            method="get"
            action="/admin/audit"
            aria-label="Filters"
          >
            <div className="col-span-2">
              <Filter label="User email" htmlFor="filter-email">
                <Input id="filter-email" name="email" type="email" defaultValue={filters.email ?? ""} />
              </Filter>
            </div>
            <Filter label="Feature" htmlFor="filter-action">
              <Choices id="filter-action" name="action" value={filters.action ?? ""} options={choices.actions} />
            </Filter>
            <Filter label="Outcome" htmlFor="filter-outcome">
              <Choices id="filter-outcome" name="outcome" value={filters.outcome ?? ""} options={choices.outcomes} />
            </Filter>
            <Filter label="Model" htmlFor="filter-model">
              <Choices id="filter-model" name="model" value={filters.model ?? ""} options={choices.models} />
            </Filter>
            <Filter label="Cache hit" htmlFor="filter-cache">
              <NativeSelect
                id="filter-cache"
                name="cache"
                defaultValue={filters.cacheHit === undefined ? "" : filters.cacheHit ? "yes" : "no"}
              >
                <option value="">any</option>
                <option value="yes">yes</option>
                <option value="no">no</option>
              </NativeSelect>
            </Filter>
            <Filter label="From (UTC)" htmlFor="filter-from">
              <Input id="filter-from" name="from" type="date" defaultValue={filters.from ?? ""} />
            </Filter>
            <Filter label="To (UTC)" htmlFor="filter-to">
              <Input id="filter-to" name="to" type="date" defaultValue={filters.to ?? ""} />
            </Filter>
            <div className="col-span-2 flex gap-2 md:col-span-4 lg:col-span-8">
              <Button type="submit">Filter</Button>
              {filtered && (
                <Link href="/admin/audit" className={buttonVariants({ variant: "ghost" })}>
                  Clear filters
                </Link>
              )}
            </div>
          </form>
        </CardContent>
      </Card>
      {rows.length === 0 ? (
        <EmptyState icon={SearchXIcon} title={filtered ? "No rows match these filters" : "No requests yet"}>
          {filtered
            ? "Widen the dates or clear a filter. Rows appear here for every request, refused or served, and every admin action."
            : "Every request, refused or served, and every admin action writes one row here."}
        </EmptyState>
      ) : (
        <Card className="overflow-hidden py-0">
          <Table pinFirstColumn data-testid="audit-table">
            <TableHeader>
              <TableRow>
                <TableHead>Time (UTC)</TableHead>
                <TableHead>User</TableHead>
                <TableHead>Feature</TableHead>
                <TableHead>Outcome</TableHead>
                <TableHead>Model</TableHead>
                <TableHead className="text-right">Tokens</TableHead>
                <TableHead className="text-right">Cost</TableHead>
                <TableHead>Cache</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.id} data-testid="audit-row" data-request-id={row.requestId}>
                  <TableCell className="tabular-nums">
                    <Link href={`/admin/audit/${row.id}`} className="underline-offset-4 hover:underline">
                      {dateTime(row.createdAt).replace(" UTC", "")}
                    </Link>
                  </TableCell>
                  <TableCell className="max-w-56 truncate">
                    {row.userId ? (
                      <Link href={`/admin/users/${encodeURIComponent(row.userId)}`} className="underline-offset-4 hover:underline">
                        {row.email ?? row.userId}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </TableCell>
                  <TableCell>{row.action}</TableCell>
                  <TableCell data-testid="audit-outcome">
                    <OutcomeBadge outcome={row.outcome} cacheHit={row.cacheHit} />
                  </TableCell>
                  <TableCell>{row.model ?? "—"}</TableCell>
                  <TableCell className={NUM}>{count(row.inputTokens + row.outputTokens)}</TableCell>
                  <TableCell className={NUM}>
                    <Money micros={row.costMicros} />
                  </TableCell>
                  <TableCell>
                    {row.cacheHit ? <Badge variant="secondary">hit</Badge> : <span className="text-muted-foreground">—</span>}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <nav aria-label="Pages" className="flex gap-2">
        {filters.before !== undefined && (
          <Link href={`/admin/audit${auditFilterQuery(withoutCursor)}`} className={buttonVariants({ variant: "outline", size: "sm" })}>
            Newest
          </Link>
        )}
        {nextBefore !== null && (
          <Link
            href={`/admin/audit${auditFilterQuery(withoutCursor, { before: nextBefore })}`}
            className={buttonVariants({ variant: "outline", size: "sm" })}
          >
            Older
          </Link>
        )}
      </nav>
    </>
  );
}
