import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ManageBillingButton } from "@/components/account/billing-buttons";
import { AccountSecurity } from "@/components/account/account-security";
import { DeleteAccountForm } from "@/components/account/delete-account-form";
import { EmailVerificationNotice } from "@/components/account/email-verification";
import { UsageMeter } from "@/components/account/usage-meter";
import { effectivePlan, getSubscription, getTodayUsage } from "@/db/queries/account";
import { DELETE_CONFIRMATION } from "@/lib/account-deletion";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { getSessionUser } from "@/lib/session";
import { isBillingConfigured } from "@/lib/stripe";
import { nextUtcMidnight } from "@/lib/time";

export const metadata: Metadata = { title: "Account" };

type AccountPageProps = { searchParams: Promise<{ checkout?: string; password?: string }> };

export default async function AccountPage({ searchParams }: AccountPageProps) {
  // proxy.ts already redirects, but the page is its own boundary.
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/account");

  const [subscription, usage, { checkout, password }] = await Promise.all([
    getSubscription(user.id),
    getTodayUsage(user.id),
    searchParams,
  ]);
  const plan = effectivePlan(subscription);
  const resetsAt = nextUtcMidnight();
  const canManageBilling = isBillingConfigured && Boolean(subscription?.stripeCustomerId);

  return (
    <div className="stack">
      <h1>Account</h1>
      {user.email && !user.emailVerified && <EmailVerificationNotice email={user.email} />}
      {password === "changed" && (
        <p className="notice" role="status">
          Password changed. Every other device is logged out.
        </p>
      )}
      {checkout === "success" && (
        <p className="notice" role="status">
          Thank you! Your plan changes as soon as Stripe confirms the payment, usually within seconds. Reload this page
          if it still shows your old plan.
        </p>
      )}
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
          <dt>Status</dt>
          <dd data-testid="account-plan-status">{describePlanStatus(subscription)}</dd>
          {user.role === "admin" && (
            <>
              <dt>Role</dt>
              <dd>Admin</dd>
            </>
          )}
        </dl>
        <div className="actions">
          {canManageBilling && <ManageBillingButton />}
          {plan.id === "free" && (
            <Link href="/pricing" className={canManageBilling ? "button secondary" : "button"}>
              See plans
            </Link>
          )}
        </div>
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
      <section className="card" aria-labelledby="security-heading">
        <h2 id="security-heading">Security</h2>
        <AccountSecurity hasPassword={user.hasPassword} passwordMinLength={PASSWORD_MIN_LENGTH} />
      </section>
      <section className="card" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete account</h2>
        <DeleteAccountForm confirmation={DELETE_CONFIRMATION} hasPassword={user.hasPassword} />
      </section>
    </div>
  );
}
