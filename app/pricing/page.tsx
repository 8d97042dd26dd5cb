import { randomUUID } from "node:crypto";
import { InfoIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { PlanLimits } from "@/components/billing/plan-limits";
import { UpgradeButton } from "@/components/billing/upgrade-button";
import { PageHeader, PageShell } from "@/components/shell/page";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { PLANS, type Plan } from "@/lib/plans";
import { getSessionUser } from "@/lib/auth/session-user";
import { isBillingConfigured } from "@/lib/stripe";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Pricing" };

type PricingPageProps = { searchParams: Promise<{ checkout?: string }> };

const TAGLINES: Record<string, string> = {
  free: "Try the product and everything it guards.",
  pro: "For daily work: more requests, longer messages, the better model.",
};

export default async function PricingPage({ searchParams }: PricingPageProps) {
  const user = await getSessionUser();
  const currentPlan = user ? effectivePlan(await getSubscription(user.id)) : null;
  const { checkout } = await searchParams;
  // One id per rendered form: a double submit reuses the same Checkout Session (idempotency key).
  const attempt = randomUUID();
  // The most expensive plan for sale is the one we recommend.
  const recommended = Object.values(PLANS)
    .filter((plan) => plan.priceLookupKey)
    .at(-1)?.id;

  function planAction(plan: Plan) {
    if (!user) {
      return (
        <Link
          href="/signup"
          prefetch={false}
          className={cn(buttonVariants({ variant: plan.id === recommended ? "default" : "outline" }), "w-full")}
        >
          Sign up to start
        </Link>
      );
    }
    if (currentPlan?.id === plan.id) {
      return (
        <p className="w-full text-center text-sm text-muted-foreground" data-testid="current-plan">
          This is your current plan
        </p>
      );
    }
    if (!plan.priceLookupKey) {
      return (
        <Link href="/account" prefetch={false} className={cn(buttonVariants({ variant: "outline" }), "w-full")}>
          Manage your plan on your account page
        </Link>
      );
    }
    if (!isBillingConfigured) return <p className="w-full text-center text-sm text-muted-foreground">Not for sale on this server yet.</p>;
    return (
      <div className="w-full">
        <UpgradeButton planId={plan.id} planName={plan.name} attempt={attempt} />
      </div>
    );
  }

  return (
    <PageShell>
      <PageHeader
        title="Pricing"
        description="Start free. Upgrade when you need more: your limits change the moment Stripe confirms the payment."
      />
      <div className="mb-6 grid gap-4">
        {/* Only admins can act on this; to everyone else it would read as a broken shop. */}
        {!isBillingConfigured && user?.role === "admin" && (
          <Alert variant="info" data-testid="billing-not-configured" role="status">
            <InfoIcon aria-hidden />
            <AlertTitle>Billing is not configured</AlertTitle>
            <AlertDescription>
              Set the Stripe keys to sell plans here. Until then, set a user&apos;s plan on the admin page.
            </AlertDescription>
          </Alert>
        )}
        {checkout === "canceled" && (
          <Alert role="status">
            <InfoIcon aria-hidden />
            <AlertTitle>Checkout was canceled</AlertTitle>
            <AlertDescription>You were not charged.</AlertDescription>
          </Alert>
        )}
      </div>
      <div className="mx-auto grid max-w-4xl gap-6 md:grid-cols-2">
        {Object.values(PLANS).map((plan) => {
          const isCurrent = currentPlan?.id === plan.id;
          const isRecommended = plan.id === recommended;
          return (
            <Card
              key={plan.id}
              data-testid={`plan-${plan.id}`}
              className={cn("relative", isRecommended && "border-primary shadow-md ring-1 ring-primary", isCurrent && "bg-accent/40")}
            >
              <CardHeader>
                <div className="flex flex-wrap items-center gap-2">
                  <CardTitle>
                    <h2 id={`plan-${plan.id}`} className="text-lg">
                      {plan.name}
                    </h2>
                  </CardTitle>
                  {isRecommended && <Badge>Recommended</Badge>}
                  {isCurrent && <Badge variant="outline">Current plan</Badge>}
                </div>
                <CardDescription>{TAGLINES[plan.id]}</CardDescription>
                <p className="mt-2">
                  <span className="text-4xl font-semibold tracking-tight">${plan.monthlyPriceUsd}</span>
                  <span className="text-muted-foreground"> / month</span>
                </p>
              </CardHeader>
              <CardContent className="flex-1">
                <PlanLimits plan={plan} />
              </CardContent>
              <CardFooter>{planAction(plan)}</CardFooter>
            </Card>
          );
        })}
      </div>
    </PageShell>
  );
}
