import { ShieldCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { NumCell, UserLink } from "@/components/admin/cells";
import { EmptyState } from "@/components/admin/empty-state";
import { ExportLink } from "@/components/admin/export-link";
import { count, dateTime } from "@/components/admin/format";
import { Pager } from "@/components/admin/pager";
import { SortableHead } from "@/components/admin/sortable-head";
import { ViewToggle } from "@/components/admin/view-toggle";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { refusalLeaders, REFUSAL_SORTS, type RefusalSort } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { ABUSE_WINDOWS, parseAbuseView, parsePage, viewHref, type AbuseWindow, type SearchParams } from "@/lib/console-view";

export const metadata: Metadata = { title: "Abuse" };

type Props = { searchParams: Promise<SearchParams> };

const PAGE_SIZE = 25;

// The sortable columns, each sorted largest (or latest) first; accounts only for hashed IPs.
const COLUMNS: Array<{ sort: RefusalSort; label: string; next: string; className?: string }> = [
  { sort: "refusals", label: "Refusals", next: "sort by most refusals", className: "text-right" },
  { sort: "accounts", label: "Accounts", next: "sort by most accounts", className: "text-right" },
  { sort: "latest", label: "Latest (UTC)", next: "sort by latest refusal" },
];

export default async function AdminAbusePage({ searchParams }: Props) {
  await requireAdminPage("/admin/abuse");
  const params = await searchParams;
  const { by, window, sort } = parseAbuseView(params);
  const page = parsePage(params);
  // One more than a page: whether there is a next one.
  const found = await refusalLeaders(by, ABUSE_WINDOWS[window], { sort, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE });
  const rows = found.slice(0, PAGE_SIZE);
  // The view lives in the URL (grouping, window, sort, page); defaults are left out.
  const link = (changes: { by?: "user" | "ip"; window?: AbuseWindow; sort?: RefusalSort; page?: number }) => {
    const next = { by, window, sort, ...changes };
    return viewHref("/admin/abuse", {
      by: next.by === "user" ? undefined : next.by,
      window: next.window === "1h" ? undefined : next.window,
      sort: next.sort === REFUSAL_SORTS[0] || (next.by === "user" && next.sort === "accounts") ? undefined : next.sort,
      page: changes.page || undefined,
    });
  };
  const windowLabel = window === "1h" ? "the last hour" : "the last 24 hours";
  return (
    <>
      <PageHeader
        title="Abuse"
        description={
          <>
            Refusals a script causes: rate limited, replayed or expired request tokens, invalid input, moderated. Block an account from its
            page under{" "}
            <Link href="/admin/users" className="underline underline-offset-4">
              Users
            </Link>
            .
          </>
        }
      >
        <ExportLink
          href={viewHref("/admin/abuse/export", {
            by: by === "user" ? undefined : by,
            window: window === "1h" ? undefined : window,
            sort: sort === REFUSAL_SORTS[0] ? undefined : sort,
          })}
        >
          Export as CSV
        </ExportLink>
      </PageHeader>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <ViewToggle
          label="Group by"
          options={[
            { label: "Users", href: link({ by: "user" }), active: by === "user" },
            { label: "Hashed IPs", href: link({ by: "ip" }), active: by === "ip" },
          ]}
        />
        <ViewToggle
          label="Window"
          options={[
            { label: "Last hour", href: link({ window: "1h" }), active: window === "1h" },
            { label: "Last 24 hours", href: link({ window: "24h" }), active: window === "24h" },
          ]}
        />
      </div>
      {rows.length === 0 ? (
        <EmptyState icon={ShieldCheckIcon} title={page > 0 ? "No more rows" : `Nothing refused in ${windowLabel}`}>
          {by === "user" ? "Accounts" : "Addresses"} with the most rate-limited, replayed, invalid or moderated requests appear here.
        </EmptyState>
      ) : (
        <Card className="overflow-hidden py-0">
          <Table pinFirstColumn data-testid="abuse-table">
            <TableHeader>
              <TableRow>
                <TableHead>{by === "user" ? "User" : "Hashed IP"}</TableHead>
                {COLUMNS.filter((column) => by === "ip" || column.sort !== "accounts").map((column) => (
                  <SortableHead
                    key={column.sort}
                    className={column.className}
                    sorted={sort === column.sort ? "descending" : undefined}
                    href={link({ sort: column.sort })}
                    next={column.next}
                  >
                    {column.label}
                  </SortableHead>
                ))}
                <TableHead>By outcome</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.key} data-testid="abuse-row" data-key={row.key}>
                  <TableCell className="max-w-44 truncate sm:max-w-64">
                    {by === "user" ? (
                      <UserLink id={row.key} email={row.email} />
                    ) : (
                      <code className="font-mono text-xs" title={row.key}>
                        {row.key.slice(0, 12)}…
                      </code>
                    )}
                  </TableCell>
                  <NumCell value={row.refusals} />
                  {by === "ip" && <NumCell value={row.users ?? 0} />}
                  <TableCell className="tabular-nums">{dateTime(row.lastAt).replace(" UTC", "")}</TableCell>
                  <TableCell>
                    <div className="flex gap-1">
                      {Object.entries(row.byOutcome).map(([outcome, n]) => (
                        <Badge key={outcome} variant="outline" className="tabular-nums">
                          {outcome} {count(n)}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <Pager previous={page > 0 ? link({ page: page - 1 }) : null} next={found.length > PAGE_SIZE ? link({ page: page + 1 }) : null} />
    </>
  );
}
