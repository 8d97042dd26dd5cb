import "server-only";
import type { SubscriptionState } from "@/db/queries/billing";
import { DEFAULT_PLAN, planForLookupKey } from "@/lib/plans";
import type { Stripe } from "@/lib/stripe";

const fromUnix = (seconds: number) => new Date(seconds * 1000);

/**
 * Our row's view of a subscription as Stripe reports it. The plan comes from the price's
 * lookup key (lib/plans.ts), never from a product or price name. Since API version
 * 2025-03-31 the billing period lives on each subscription item, not on the subscription.
 */
export function subscriptionState(subscription: Stripe.Subscription): SubscriptionState {
  const items = subscription.items.data;
  const price = items[0]?.price;
  const plan = planForLookupKey(price?.lookup_key);
  if (price && !plan) console.warn("Stripe price without a lookup key from lib/plans.ts; treating as Free", price.id);
  const currentPeriodEnd = items.length > 0 ? fromUnix(Math.max(...items.map((item) => item.current_period_end))) : null;
  // The customer portal schedules cancellations with cancel_at; the API may use either field.
  const cancelAt = subscription.cancel_at ? fromUnix(subscription.cancel_at) : subscription.cancel_at_period_end ? currentPeriodEnd : null;
  return {
    stripeSubscriptionId: subscription.id,
    status: subscription.status,
    stripePriceId: price?.id ?? null,
    plan: plan?.id ?? DEFAULT_PLAN,
    currentPeriodEnd,
    cancelAtPeriodEnd: cancelAt !== null,
    cancelAt,
  };
}

/** Statuses in which a subscription may still grant a paid plan. */
export function isLiveStatus(status: string | null | undefined): boolean {
  return status === "active" || status === "trialing" || status === "past_due";
}
