import "server-only";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { saveStripeCustomerId } from "@/db/queries/billing";
import { isLiveStatus } from "@/lib/billing/subscription-state";
import { priceIdForPlan } from "@/lib/billing/prices";
import { AppError } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import type { SessionUser } from "@/lib/auth/session-user";
import { callStripe } from "@/lib/stripe";

/** The user's Stripe customer: the stored one, or a new one (idempotent per user). */
export async function ensureStripeCustomer(user: SessionUser): Promise<string> {
  const existing = (await getSubscription(user.id))?.stripeCustomerId;
  if (existing) return existing;
  const customer = await callStripe((stripe) =>
    stripe.customers.create(
      { email: user.email ?? undefined, name: user.name ?? undefined, metadata: { userId: user.id } },
      // Two parallel first clicks get the same customer back from Stripe.
      { idempotencyKey: `customer-create:${user.id}` },
    ),
  );
  return saveStripeCustomerId(user.id, customer.id);
}

/** Whether Stripe itself has a live subscription for the customer (a webhook may not have told us yet). */
async function hasLiveStripeSubscription(customerId: string): Promise<boolean> {
  const list = await callStripe((stripe) => stripe.subscriptions.list({ customer: customerId, status: "all", limit: 10 }));
  return list.data.some((subscription) => isLiveStatus(subscription.status));
}

/**
 * Where "Upgrade" sends the user: a Checkout Session for `plan` (already looked up on the
 * server from lib/plans.ts), or the customer portal when the customer already has a live
 * subscription, here or at Stripe, so nobody pays for a second one. The user id travels as
 * client_reference_id and metadata, so the webhook knows whose it is. `attempt` is a random id
 * rendered with the form: a double submit reuses the same session.
 */
export async function createCheckoutSession(user: SessionUser, plan: Plan, attempt: string, origin: string): Promise<string> {
  const current = await getSubscription(user.id);
  const customerId = current?.stripeCustomerId;
  if (customerId && ((current.stripeSubscriptionId && isLiveStatus(current.status)) || (await hasLiveStripeSubscription(customerId)))) {
    return createPortalSession(user, origin);
  }
  if (effectivePlan(current).id === plan.id) throw new AppError("already_subscribed"); // e.g. set by an admin
  const priceId = await priceIdForPlan(plan);
  const customer = customerId ?? (await ensureStripeCustomer(user));
  const metadata = { userId: user.id, planId: plan.id };
  const session = await callStripe((stripe) =>
    stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer,
        client_reference_id: user.id,
        metadata,
        subscription_data: { metadata },
        line_items: [{ price: priceId, quantity: 1 }],
        success_url: `${origin}/account?checkout=success`,
        cancel_url: `${origin}/pricing?checkout=canceled`,
      },
      { idempotencyKey: `checkout-session:${user.id}:${plan.id}:${attempt}` },
    ),
  );
  if (!session.url) throw new AppError("billing_unavailable");
  return session.url;
}

/** A customer portal session (change card, cancel, invoices) for the user's customer. */
export async function createPortalSession(user: SessionUser, origin: string): Promise<string> {
  const customerId = (await getSubscription(user.id))?.stripeCustomerId;
  if (!customerId) throw new AppError("no_billing_account");
  const session = await callStripe((stripe) =>
    stripe.billingPortal.sessions.create({ customer: customerId, return_url: `${origin}/account` }),
  );
  return session.url;
}

/** Cancels the user's subscription at once (account deletion). Already gone counts as done. */
export async function cancelSubscriptionNow(subscriptionId: string): Promise<void> {
  try {
    await callStripe((stripe) => stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey: `cancel-on-delete:${subscriptionId}` }));
  } catch (error) {
    const cause = error instanceof AppError ? (error.cause as { code?: string; statusCode?: number } | undefined) : undefined;
    if (cause?.code === "resource_missing" || cause?.statusCode === 404) return;
    throw error;
  }
}
