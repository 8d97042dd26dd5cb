import { ArrowLeftIcon, BarChart3Icon, InboxIcon, ThumbsUpIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminForm } from "@/components/admin/admin-form";
import { BlockUserForm } from "@/components/admin/block-user-form";
import { AuditTable } from "@/components/admin/audit-table";
import { AuditTime, Nothing } from "@/components/admin/cells";
import { ChartTable } from "@/components/admin/chart-table";
import { EmptyState } from "@/components/admin/empty-state";
import { count, dateTime } from "@/components/admin/format";
import { Money } from "@/components/admin/money";
import { PlanBadge } from "@/components/admin/plan-badge";
import { Section } from "@/components/admin/section";
import { SetPlanForm } from "@/components/admin/set-plan-form";
import { SpendChart } from "@/components/admin/spend-chart";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { effectivePlan } from "@/db/queries/account";
import { getConsoleUser, userDailyUsage, userFeedback, userRecentRequests } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { roleFor } from "@/lib/auth/roles";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PLANS } from "@/lib/plans";
import { revokeUserSessionsAction } from "../../actions";

export const metadata: Metadata = { title: "User" };

type Props = { params: Promise<{ id: string }> };

export default async function AdminUserPage({ params }: Props) {
  const { id } = await params;
  await requireAdminPage(`/admin/users/${id}`);
  if (id.length > 200) notFound();
  const user = await getConsoleUser(id);
  if (!user) notFound();
  const [days, requests, votes] = await Promise.all([userDailyUsage(id), userRecentRequests(id), userFeedback(id)]);
  const plan = effectivePlan(user.subscription);
  const totals = days.reduce(
    (sum, day) => ({ requests: sum.requests + day.requests, tokens: sum.tokens + day.tokens, costMicros: sum.costMicros + day.costMicros }),
    { requests: 0, tokens: 0, costMicros: 0 },
  );
  const dayPoints = days.map((day) => ({ day: day.day, model: "spend", requests: day.requests, costMicros: day.costMicros }));
  const isAdmin = roleFor(user.email, user.emailVerified !== null) === "admin";
  return (
    <>
      <div className="grid gap-3">
        <Link href="/admin/users" className={`${buttonVariants({ variant: "ghost", size: "sm" })} -ml-3 w-fit`}>
          <ArrowLeftIcon aria-hidden /> Users
        </Link>
        <PageHeader
          title={user.email ?? user.id}
          description={`Signed up ${dateTime(user.createdAt)}${user.name ? ` as ${user.name}` : ""}.`}
        >
          <Link href={`/admin/audit?email=${encodeURIComponent(user.email ?? "")}`} className={buttonVariants({ variant: "outline" })}>
            All audit rows
          </Link>
        </PageHeader>
      </div>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section id="plan" title="Plan and status">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-muted-foreground">Plan</dt>
            <dd data-testid="user-plan">
              <PlanBadge id={plan.id} name={plan.name} />
            </dd>
            <dt className="text-muted-foreground">Billing</dt>
            <dd>{describePlanStatus(user.subscription)}</dd>
            <dt className="text-muted-foreground">Status</dt>
            <dd data-testid="user-status" className="flex flex-wrap gap-1">
              {user.blockedAt ? <Badge variant="destructive">blocked</Badge> : <Badge variant="success">active</Badge>}
              {isAdmin && <Badge variant="secondary">admin</Badge>}
              <Badge variant="outline">{user.emailVerified ? "email verified" : "email not verified"}</Badge>
            </dd>
            {user.blockedAt && (
              <>
                <dt className="text-muted-foreground">Blocked</dt>
                <dd>{dateTime(user.blockedAt)}</dd>
              </>
            )}
          </dl>
          {/* Keyed by plan: after a change the form starts over with the new plan selected. */}
          <SetPlanForm
            key={plan.id}
            userId={user.id}
            email={user.email ?? user.id}
            currentPlanId={plan.id}
            plans={Object.values(PLANS).map(({ id, name }) => ({ id, name }))}
          />
        </Section>

        <Section
          id="access"
          title="Access"
          description="Blocking refuses every request at the guard's session step and at sign-in, and ends every session."
        >
          <BlockUserForm key={user.blockedAt ? "blocked" : "active"} userId={user.id} blocked={user.blockedAt !== null} />
          <div className="grid gap-2 border-t pt-4">
            <p className="text-sm text-muted-foreground">
              Sessions are signed cookies checked against a version on the user row (now {user.sessionVersion}): raising it ends them all.
            </p>
            <AdminForm
              action={revokeUserSessionsAction}
              fields={{ userId: user.id }}
              label="Sign out everywhere"
              success="Signed out."
              testId="revoke-sessions"
            />
          </div>
        </Section>
      </div>

      <Section
        id="usage"
        title="Usage, last 30 days"
        description={
          <>
            {count(totals.requests)} requests, {count(totals.tokens)} tokens,{" "}
            <Money micros={totals.costMicros} data-testid="user-cost-30d" />.
          </>
        }
      >
        {days.length === 0 ? (
          <EmptyState icon={BarChart3Icon} title="No usage in the last 30 days">
            Requests and spend per day appear here once this user calls a model.
          </EmptyState>
        ) : (
          <>
            <SpendChart
              legend={false}
              metric="costMicros"
              points={dayPoints}
              label="Spend per day over the last 30 days; the same figures are in the table below"
            />
            <ChartTable points={dayPoints} byModel={false} label="Requests and spend per day" />
          </>
        )}
      </Section>

      <Section id="requests" title="Recent requests" description="The newest 20 audit rows of this user.">
        {requests.length === 0 ? (
          <EmptyState icon={InboxIcon} title="No requests yet">
            Every request this user makes, refused or served, appears here with its outcome and cost.
          </EmptyState>
        ) : (
          <AuditTable rows={requests} data-testid="user-requests" />
        )}
      </Section>

      <Section id="feedback" title="Feedback given" description="The newest 20 votes this user cast on answers.">
        {votes.length === 0 ? (
          <EmptyState icon={ThumbsUpIcon} title="No votes yet">
            When this user rates an answer up or down, the vote and their note appear here.
          </EmptyState>
        ) : (
          <Table pinFirstColumn scrollLabel="Feedback given" data-testid="user-feedback">
            <TableHeader>
              <TableRow>
                <TableHead>Voted (UTC)</TableHead>
                <TableHead>Vote</TableHead>
                <TableHead>Feature</TableHead>
                <TableHead>Note</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {votes.map((vote) => (
                <TableRow key={vote.requestId}>
                  <TableCell className="tabular-nums">
                    <AuditTime at={vote.votedAt} auditId={vote.auditId} />
                  </TableCell>
                  <TableCell>{vote.rating > 0 ? <Badge variant="success">up</Badge> : <Badge variant="destructive">down</Badge>}</TableCell>
                  <TableCell>
                    {vote.action}
                    {vote.model ? ` · ${vote.model}` : ""}
                  </TableCell>
                  <TableCell className="max-w-80 truncate" title={vote.note ?? undefined}>
                    {vote.note ?? <Nothing />}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
    </>
  );
}
