import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { SetPlanForm } from "@/components/admin/set-plan-form";
import { effectivePlan } from "@/db/queries/account";
import { listUsersWithSubscriptions } from "@/db/queries/billing";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PLANS } from "@/lib/plans";
import { roleFor } from "@/lib/roles";
import { getSessionUser } from "@/lib/session";
import { isBillingConfigured } from "@/lib/stripe";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/admin");
  // Not "forbidden": to anyone but an admin this page does not exist.
  if (user.role !== "admin") notFound();

  const rows = await listUsersWithSubscriptions();
  const plans = Object.values(PLANS).map(({ id, name }) => ({ id, name }));
  return (
    <div className="mx-auto grid w-full max-w-6xl gap-5 px-4 py-8 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
      <p className="text-sm text-muted-foreground">
        {isBillingConfigured
          ? "Stripe is configured: a plan set here holds until the user's next Stripe subscription event."
          : "Billing is not configured: plans are set here by hand. Every change is written to the audit log."}
      </p>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm [&_td]:border-b [&_td]:p-2 [&_th]:border-b [&_th]:p-2">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Plan</th>
              <th>Status</th>
              <th>Set plan</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const plan = effectivePlan(row.subscription);
              return (
                <tr key={row.id} data-testid="admin-user-row" data-email={row.email ?? ""}>
                  <td>{row.email}</td>
                  <td>{roleFor(row.email, row.emailVerified !== null)}</td>
                  <td data-testid="admin-user-plan">{plan.name}</td>
                  <td>{describePlanStatus(row.subscription)}</td>
                  <td>
                    {/* Keyed by plan: after a change the form starts over with the new plan selected. */}
                    <SetPlanForm key={plan.id} userId={row.id} email={row.email ?? row.id} currentPlanId={plan.id} plans={plans} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
