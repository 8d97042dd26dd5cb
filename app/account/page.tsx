import { CircleAlertIcon, CircleCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ManageBillingButton } from "@/components/account/billing-buttons";
import { AccountSecurity } from "@/components/account/account-security";
import { DeleteAccountForm } from "@/components/account/delete-account-form";
import { SignInMethods } from "@/components/account/sign-in-methods";
import { UsageMeter, usageLevel } from "@/components/account/usage-meter";
import { PageHeader, PageShell } from "@/components/shell/page";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { EmailVerificationNotice } from "@/components/account/email-verification";
import { effectivePlan, getSubscription, getTodayUsage } from "@/db/queries/account";
import { listSignInMethods } from "@/db/queries/sign-in-methods";
import { githubEnabled } from "@/lib/auth";
import { DELETE_CONFIRMATION } from "@/lib/account-deletion";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { PAID_PLANS } from "@/lib/plans";
import { getSessionUser } from "@/lib/auth/session-user";
import { isBillingConfigured } from "@/lib/stripe";
import { nextUtcMidnight } from "@/lib/time";

export const metadata: Metadata = { title: "Account" };

type AccountPageProps = { searchParams: Promise<{ checkout?: string; password?: string; link?: string }> };

export default async function AccountPage({ searchParams }: AccountPageProps) {
  // proxy.ts already redirects, but the page is its own boundary.
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/account");

  const [subscription, usage, signInMethods, { checkout, password, link }] = await Promise.all([
    getSubscription(user.id),
    getTodayUsage(user.id),
    listSignInMethods(user.id),
    searchParams,
  ]);
  const github = signInMethods.providers.find((method) => method.provider === "github") ?? null;
  const plan = effectivePlan(subscription);
  const resetsAt = nextUtcMidnight();
  const canManageBilling = isBillingConfigured && Boolean(subscription?.stripeCustomerId);
  const canUpgrade = isBillingConfigured && plan.id !== PAID_PLANS.at(-1)?.id;
  const nearLimit = usageLevel(usage.requests, plan.requestsPerDay) !== "ok" || usageLevel(usage.tokens, plan.tokensPerDay) !== "ok";

  return (
    <PageShell className="max-w-4xl">
      <PageHeader title="Account" description="Your profile, plan, today's usage and security." />
      <div className="grid gap-6">
        {user.email && !user.emailVerified && <EmailVerificationNotice email={user.email} />}
        {password === "changed" && (
          <Alert variant="success" role="status">
            <CircleCheckIcon aria-hidden />
            <AlertTitle>Password changed. Every other device is logged out.</AlertTitle>
          </Alert>
        )}
        {link === "connected" && github && (
          <Alert variant="success" role="status">
            <CircleCheckIcon aria-hidden />
            <AlertTitle>GitHub is connected. You can sign in with it from now on.</AlertTitle>
          </Alert>
        )}
        {link === "removed" && !github && (
          <Alert variant="success" role="status">
            <CircleCheckIcon aria-hidden />
            <AlertTitle>GitHub is disconnected.</AlertTitle>
          </Alert>
        )}
        {link === "refused" && (
          <Alert variant="destructive" role="alert">
            <CircleAlertIcon aria-hidden />
            <AlertTitle>GitHub was not connected.</AlertTitle>
            <AlertDescription>
              A sign-in method is connected only from this page, after you confirm it is you. Use &quot;Connect GitHub&quot; below.
            </AlertDescription>
          </Alert>
        )}
        {checkout === "success" && (
          <Alert variant="success" role="status">
            <CircleCheckIcon aria-hidden />
            <AlertTitle>Thank you!</AlertTitle>
            <AlertDescription>
              Your plan changes as soon as Stripe confirms the payment, usually within seconds. Reload this page if it still shows your old
              plan.
            </AlertDescription>
          </Alert>
        )}

        <Card>
          <CardHeader>
            <CardTitle>
              <h2 id="profile-heading">Profile</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
              {user.name && (
                <>
                  <dt className="text-muted-foreground">Name</dt>
                  <dd>{user.name}</dd>
                </>
              )}
              <dt className="text-muted-foreground">Email</dt>
              <dd className="break-all" data-testid="account-email">
                {user.email}
              </dd>
              {user.role === "admin" && (
                <>
                  <dt className="text-muted-foreground">Role</dt>
                  <dd>Admin</dd>
                </>
              )}
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2 className="flex items-center gap-2">
                Plan
                <Badge variant="secondary" data-testid="account-plan">
                  {plan.name}
                </Badge>
              </h2>
            </CardTitle>
            <CardDescription data-testid="account-plan-status">{describePlanStatus(subscription)}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-5">
            <h3 className="text-sm font-semibold">Today&apos;s usage</h3>
            <UsageMeter label="Requests" used={usage.requests} limit={plan.requestsPerDay} />
            <UsageMeter label="Tokens" used={usage.tokens} limit={plan.tokensPerDay} />
            <p className="text-sm text-muted-foreground">
              Limits reset at midnight UTC (<time dateTime={resetsAt.toISOString()}>{resetsAt.toUTCString()}</time>). Up to{" "}
              {plan.requestsPerMinute} requests per minute, {plan.maxInputChars.toLocaleString("en-US")} characters per message.
            </p>
          </CardContent>
          <CardFooter className="flex-wrap gap-3 border-t">
            {canUpgrade && (
              <Link
                href="/pricing"
                prefetch={false}
                className={buttonVariants({ variant: nearLimit || plan.id === "free" ? "default" : "outline" })}
              >
                Upgrade
              </Link>
            )}
            {canManageBilling && <ManageBillingButton />}
            {!canUpgrade && !canManageBilling && (
              <Link href="/pricing" prefetch={false} className={buttonVariants({ variant: "outline" })}>
                See plans
              </Link>
            )}
          </CardFooter>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Security</h2>
            </CardTitle>
            <CardDescription>Your password and the devices you are logged in on.</CardDescription>
          </CardHeader>
          <CardContent>
            <AccountSecurity hasPassword={user.hasPassword} passwordMinLength={PASSWORD_MIN_LENGTH} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>
              <h2>Sign-in methods</h2>
            </CardTitle>
            <CardDescription>How you get into this account.</CardDescription>
          </CardHeader>
          <CardContent>
            <SignInMethods hasPassword={signInMethods.hasPassword} githubEnabled={githubEnabled} github={github} />
          </CardContent>
        </Card>

        <Card className="border-destructive/50">
          <CardHeader>
            <CardTitle>
              <h2>Danger zone</h2>
            </CardTitle>
            <CardDescription>
              Deleting your account cancels your subscription and erases your conversations and usage history.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <DeleteAccountForm confirmation={DELETE_CONFIRMATION} hasPassword={user.hasPassword} />
          </CardContent>
        </Card>
      </div>
    </PageShell>
  );
}
