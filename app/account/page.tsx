import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { UsageMeter } from "@/components/account/usage-meter";
import { effectivePlan, getSubscription, getTodayUsage } from "@/db/queries/account";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { getSessionUser } from "@/lib/session";
import { nextUtcMidnight } from "@/lib/time";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  // proxy.ts already redirects, but the page is its own boundary.
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/account");

  const [subscription, usage] = await Promise.all([getSubscription(user.id), getTodayUsage(user.id)]);
  const plan = effectivePlan(subscription);
  const resetsAt = nextUtcMidnight();

  return (
    <div className="stack">
      <h1>Account</h1>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd data-testid="account-email">{user.email}</dd>
          <dt>Plan</dt>
          <dd>
            <span className="badge" data-testid="account-plan">
              {plan.name}
            </span>
          </dd>
          {user.role === "admin" && (
            <>
              <dt>Role</dt>
              <dd>Admin</dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="usage-heading">
        <h2 id="usage-heading">Today&apos;s usage</h2>
        <UsageMeter label="Requests" used={usage.requests} limit={plan.requestsPerDay} />
        <UsageMeter label="Tokens" used={usage.tokens} limit={plan.tokensPerDay} />
        <p className="hint">
          Limits reset at midnight UTC (<time dateTime={resetsAt.toISOString()}>{resetsAt.toUTCString()}</time>). Up to{" "}
          {plan.requestsPerMinute} requests per minute, {plan.maxInputChars.toLocaleString("en-US")} characters per
          message.
        </p>
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <ChangePasswordForm passwordMinLength={PASSWORD_MIN_LENGTH} />
      </section>
    </div>
  );
}
