import { SearchXIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/admin/audit-table";
import { EmptyState } from "@/components/admin/empty-state";
import { ExportLink } from "@/components/admin/export-link";
import { Pager } from "@/components/admin/pager";
import { SortableHead } from "@/components/admin/sortable-head";
import { PageHeader } from "@/components/shell/page";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { auditFilterChoices, listAuditRows } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { auditFilterQuery, parseAuditFilters } from "@/lib/audit-filters";
import type { SearchParams } from "@/lib/console-view";

export const metadata: Metadata = { title: "Audit log" };

type Props = { searchParams: Promise<SearchParams> };

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
  const oldest = filters.sort === "oldest";
  // Filtered: any filter but the order (sorting the whole log is still the whole log).
  const filtered = auditFilterQuery({ ...withoutCursor, sort: undefined }) !== "";
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`One row per request, refused or served, and per admin action. ${oldest ? "Oldest" : "Newest"} first: the time column's header turns the order.`}
      >
        <ExportLink href={`/admin/audit/export${auditFilterQuery(withoutCursor)}`}>
          Export {filtered ? "these rows" : "all rows"} as CSV
        </ExportLink>
      </PageHeader>
      <Card className="py-4">
        <CardContent className="px-4">
          <form
            className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-8 lg:items-end"
            method="get"
            action="/admin/audit"
            aria-label="Filters"
          >
            {/* The order stays as it is when the filters change. */}
            {oldest && <input type="hidden" name="sort" value="oldest" />}
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
                <Link href={`/admin/audit${oldest ? "?sort=oldest" : ""}`} className={buttonVariants({ variant: "ghost" })}>
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
          <AuditTable
            rows={rows}
            withUser
            withCache
            data-testid="audit-table"
            timeHead={
              <SortableHead
                sorted={oldest ? "ascending" : "descending"}
                href={`/admin/audit${auditFilterQuery({ ...withoutCursor, sort: oldest ? "newest" : "oldest" })}`}
                next={oldest ? "sort newest first" : "sort oldest first"}
              >
                Time (UTC)
              </SortableHead>
            }
          />
        </Card>
      )}
      <Pager
        previous={filters.before !== undefined ? `/admin/audit${auditFilterQuery(withoutCursor)}` : null}
        previousLabel={oldest ? "Oldest" : "Newest"}
        next={nextBefore !== null ? `/admin/audit${auditFilterQuery(withoutCursor, { before: nextBefore })}` : null}
        nextLabel={oldest ? "Newer" : "Older"}
      />
    </>
  );
}
