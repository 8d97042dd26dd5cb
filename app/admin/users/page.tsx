import { UserSearchIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { MoneyCell, NumCell, NumHead } from "@/components/admin/cells";
import { count } from "@/components/admin/format";
import { EmptyState } from "@/components/admin/empty-state";
import { ExportLink } from "@/components/admin/export-link";
import { Pager } from "@/components/admin/pager";
import { SortableHead } from "@/components/admin/sortable-head";
import { PlanBadge } from "@/components/admin/plan-badge";
import { SetPlanForm } from "@/components/admin/set-plan-form";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { effectivePlan } from "@/db/queries/account";
import { listConsoleUsers, USER_SORTS, type UserSort } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { parsePage, parseUserView, viewHref, type SearchParams } from "@/lib/console-view";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PLANS } from "@/lib/plans";
import { roleFor } from "@/lib/auth/roles";
import { isBillingConfigured } from "@/lib/stripe";

export const metadata: Metadata = { title: "Users" };

type Props = { searchParams: Promise<SearchParams> };

export default async function AdminUsersPage({ searchParams }: Props) {
  await requireAdminPage("/admin/users");
  const params = await searchParams;
  const { search, sort } = parseUserView(params);
  const page = parsePage(params);
  const { users, hasMore } = await listConsoleUsers({ search, page, sort });
  const plans = Object.values(PLANS).map(({ id, name }) => ({ id, name }));
  // The view lives in the URL (search, sort, page), so it can be shared and reloaded.
  const link = (changes: { page?: number; sort?: UserSort }) =>
    viewHref("/admin/users", {
      q: search,
      sort: (changes.sort ?? sort) === USER_SORTS[0] ? undefined : (changes.sort ?? sort),
      page: changes.page || undefined,
    });
  return (
    <>
      <PageHeader
        title="Users"
        description={`${
          isBillingConfigured
            ? "Stripe is configured: a plan set here holds until the user's next Stripe subscription event."
            : "Billing is not configured: plans are set here by hand."
        } Open a user to see their usage, block them or end their sessions. Every change is written to the audit log.`}
      >
        <ExportLink href={viewHref("/admin/users/export", { q: search, sort: sort === USER_SORTS[0] ? undefined : sort })}>
          Export {search ? "these users" : "all users"} as CSV
        </ExportLink>
      </PageHeader>
      <form className="flex max-w-md gap-2" method="get" action="/admin/users" role="search">
        {sort !== "newest" && <input type="hidden" name="sort" value={sort} />}
        <Input name="q" type="search" placeholder="Search by email" defaultValue={search} aria-label="Search by email" />
        <Button type="submit" variant="outline">
          Search
        </Button>
      </form>
      {users.length === 0 ? (
        <EmptyState icon={UserSearchIcon} title={search ? `No user's email contains "${search}"` : "No users yet"}>
          {search ? "Search matches any part of the address, case-insensitively." : "Accounts appear here as people sign up."}
        </EmptyState>
      ) : (
        <Card className="overflow-hidden py-0">
          <Table pinFirstColumn>
            <TableHeader>
              <TableRow>
                <SortableHead
                  sorted={sort === "email" ? "ascending" : undefined}
                  href={link({ sort: sort === "email" ? "newest" : "email" })}
                  next={sort === "email" ? "sort newest first" : "sort A to Z"}
                >
                  Email
                </SortableHead>
                <TableHead>Plan</TableHead>
                <TableHead>Status</TableHead>
                <NumHead>Today</NumHead>
                <NumHead>30-day cost</NumHead>
                <TableHead>Set plan</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.map((row) => {
                const plan = effectivePlan(row.subscription);
                return (
                  <TableRow key={row.id} data-testid="admin-user-row" data-email={row.email ?? ""}>
                    <TableCell className="max-w-44 sm:max-w-72">
                      <div className="flex items-center gap-2">
                        <Link
                          href={`/admin/users/${encodeURIComponent(row.id)}`}
                          className="truncate font-medium underline-offset-4 hover:underline"
                        >
                          {row.email ?? row.id}
                        </Link>
                        {roleFor(row.email, row.emailVerified !== null) === "admin" && <Badge variant="secondary">admin</Badge>}
                      </div>
                      <div className="text-xs text-muted-foreground">{row.emailVerified ? "verified" : "not verified"}</div>
                    </TableCell>
                    <TableCell data-testid="admin-user-plan">
                      <PlanBadge id={plan.id} name={plan.name} />
                    </TableCell>
                    <TableCell data-testid="admin-user-status" className="max-w-64 truncate text-muted-foreground">
                      {row.blockedAt ? <Badge variant="destructive">blocked</Badge> : describePlanStatus(row.subscription)}
                    </TableCell>
                    <NumCell>
                      {count(row.todayRequests)} <abbr title="requests">req</abbr> · {count(row.todayTokens)}{" "}
                      <abbr title="tokens">tok</abbr>
                    </NumCell>
                    <MoneyCell micros={row.costMicros30d} />
                    <TableCell>
                      {/* Keyed by plan: after a change the form starts over with the new plan selected. */}
                      <SetPlanForm key={plan.id} userId={row.id} email={row.email ?? row.id} currentPlanId={plan.id} plans={plans} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
      <Pager previous={page > 0 ? link({ page: page - 1 }) : null} next={hasMore ? link({ page: page + 1 }) : null} />
    </>
  );
}
