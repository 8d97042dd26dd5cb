import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { PlanLimits } from "@/components/billing/plan-limits";
import { UpgradeButton } from "@/components/billing/upgrade-button";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { PLANS, type Plan } from "@/lib/plans";
import { getSessionUser } from "@/lib/session";
import { isBillingConfigured } from "@/lib/stripe";

export const metadata: Metadata = { title: "Pricing" };

type PricingPageProps = { searchParams: Promise<{ checkout?: string }> };

export default async function PricingPage({ searchParams }: PricingPageProps) {
  const user = await getSessionUser();
  const currentPlan = user ? effectivePlan(await getSubscription(user.id)) : null;
  const { checkout } = await searchParams;
  // One id per rendered form: a double submit reuses the same Checkout Session (idempotency key).
  const attempt = randomUUID();

  function planAction(plan: Plan) {
    if (!user) {
      return (
        <Link href="/signup" className="button">
          Sign up to start
        </Link>
      );
    }
    if (currentPlan?.id === plan.id) return <span className="badge" data-testid="current-plan">Current plan</span>;
    if (!plan.priceLookupKey) return <Link href="/account">Manage your plan on your account page</Link>;
    if (!isBillingConfigured) return null;
    return <UpgradeButton planId={plan.id} planName={plan.name} attempt={attempt} />;
  }

  return (
    <div className="stack">
      <h1>Pricing</h1>
      {!isBillingConfigured && (
        <p className="notice" role="status" data-testid="billing-not-configured">
          Billing is not configured on this server, so plans cannot be bought here. An administrator can set a
          user&apos;s plan on the admin page.
        </p>
      )}
      {checkout === "canceled" && (
        <p className="notice" role="status">
          Checkout was canceled; you were not charged.
        </p>
      )}
      <div className="plans">
        {Object.values(PLANS).map((plan) => (
          <section key={plan.id} className="card plan" aria-labelledby={`plan-${plan.id}`} data-testid={`plan-${plan.id}`}>
            <h2 id={`plan-${plan.id}`}>{plan.name}</h2>
            <p className="price">{plan.monthlyPriceUsd === 0 ? "$0" : `$${plan.monthlyPriceUsd} / month`}</p>
            <PlanLimits plan={plan} />
            {planAction(plan)}
          </section>
        ))}
      </div>
    </div>
  );
}
