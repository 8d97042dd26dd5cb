import type { Metadata } from "next";
import Link from "next/link";
import { AdminForm } from "@/components/admin/admin-form";
import { usd } from "@/components/admin/format";
import { SetPlanForm } from "@/components/admin/set-plan-form";
import { effectivePlan } from "@/db/queries/account";
import { listConsoleUsers } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PLANS } from "@/lib/plans";
import { roleFor } from "@/lib/auth/roles";
import { isBillingConfigured } from "@/lib/stripe";
import { revokeUserSessionsAction, setUserBlockedAction } from "../actions";

export const metadata: Metadata = { title: "Users" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminUsersPage({ searchParams }: Props) {
  await requireAdminPage("/admin/users");
  const params = await searchParams;
  const search = typeof params.q === "string" ? params.q.slice(0, 200) : "";
  const page = Math.max(0, Math.min(10_000, Number.parseInt(typeof params.page === "string" ? params.page : "0", 10) || 0));
  const { users, hasMore } = await listConsoleUsers({ search, page });
  const plans = Object.values(PLANS).map(({ id, name }) => ({ id, name }));
  const pageLink = (target: number) => `/admin/users?${new URLSearchParams({ ...(search && { q: search }), page: String(target) })}`;
  return (
    <>
      <h1>Users</h1>
      <p className="hint">
        {isBillingConfigured
          ? "Stripe is configured: a plan set here holds until the user's next Stripe subscription event."
          : "Billing is not configured: plans are set here by hand."}{" "}
        Every change here is written to the audit log.
      </p>
      <form className="inline-form" method="get" action="/admin/users" role="search">
        <input name="q" type="search" placeholder="Search by email" defaultValue={search} aria-label="Search by email" />
        <button type="submit" className="button secondary">
          Search
        </button>
      </form>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th>Email</th>
              <th>Plan</th>
              <th>Status</th>
              <th className="num">Today</th>
              <th className="num">30-day cost</th>
              <th>Set plan</th>
              <th>Access</th>
            </tr>
          </thead>
          <tbody>
            {users.map((row) => {
              const plan = effectivePlan(row.subscription);
              return (
                <tr key={row.id} data-testid="admin-user-row" data-email={row.email ?? ""}>
                  <td className="truncate">
                    <Link href={`/admin/audit?email=${encodeURIComponent(row.email ?? "")}`}>{row.email ?? row.id}</Link>
                    {roleFor(row.email, row.emailVerified !== null) === "admin" && <span className="badge">admin</span>}
                    <div className="hint">{row.emailVerified ? "verified" : "not verified"}</div>
                  </td>
                  <td data-testid="admin-user-plan">{plan.name}</td>
                  <td data-testid="admin-user-status">
                    {row.blockedAt ? <span className="badge danger">blocked</span> : describePlanStatus(row.subscription)}
                  </td>
                  <td className="num">
                    {row.todayRequests} req · {row.todayTokens.toLocaleString("en-US")} tok
                  </td>
                  <td className="num">{usd(row.costMicros30d)}</td>
                  <td>
                    {/* Keyed by plan: after a change the form starts over with the new plan selected. */}
                    <SetPlanForm key={plan.id} userId={row.id} email={row.email ?? row.id} currentPlanId={plan.id} plans={plans} />
                  </td>
                  <td>
                    <div className="inline-form">
                      <AdminForm
                        key={row.blockedAt ? "blocked" : "active"}
                        action={setUserBlockedAction}
                        fields={{ userId: row.id, blocked: row.blockedAt ? "false" : "true" }}
                        label={row.blockedAt ? "Unblock" : "Block"}
                        variant={row.blockedAt ? "secondary" : "danger"}
                      />
                      <AdminForm
                        action={revokeUserSessionsAction}
                        fields={{ userId: row.id }}
                        label="Sign out everywhere"
                        success="Signed out."
                      />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {users.length === 0 && <p className="hint">No users match.</p>}
      <div className="inline-form">
        {page > 0 && (
          <Link className="button secondary" href={pageLink(page - 1)}>
            Previous
          </Link>
        )}
        {hasMore && (
          <Link className="button secondary" href={pageLink(page + 1)}>
            Next
          </Link>
        )}
      </div>
    </>
  );
}
