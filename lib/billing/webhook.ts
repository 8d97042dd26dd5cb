import "server-only";
import { getDb } from "@/db";
import {
  claimStripeEvent,
  findSubscriptionRow,
  lockSubscriptionByCustomer,
  lockSubscriptionByUser,
  stripeEventRecorded,
  userExists,
  writeSubscriptionState,
} from "@/db/queries/billing";
import { isLiveStatus, subscriptionState } from "@/lib/billing/subscription-state";
import { getStripe, isBillingConfigured, webhookSecret, type Stripe } from "@/lib/stripe";

// Stripe webhooks: verified on the raw body, each event applied at most once (its id is
// recorded in the same transaction as its effect), and the subscription always re-fetched from
// Stripe, so events that arrive late or out of order still leave the latest state.

export const HANDLED_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.payment_failed",
] as const;

export type WebhookResult = "applied" | "duplicate" | "ignored" | "stale" | "no_user";

/** Which subscription an event is about, and whose it is when the event says so. */
type EventTarget = { subscriptionId: string; customerId: string; userId: string | null };

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === "string" ? value : (value?.id ?? null));

function eventTarget(event: Stripe.Event): EventTarget | null {
  switch (event.type) {
    case "checkout.session.completed": {
      const session = event.data.object;
      const subscriptionId = idOf(session.subscription);
      const customerId = idOf(session.customer);
      if (session.mode !== "subscription" || !subscriptionId || !customerId) return null;
      return { subscriptionId, customerId, userId: session.client_reference_id };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const subscription = event.data.object;
      return { subscriptionId: subscription.id, customerId: idOf(subscription.customer)!, userId: subscription.metadata?.userId ?? null };
    }
    case "invoice.payment_failed": {
      const invoice = event.data.object;
      const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
      const customerId = idOf(invoice.customer);
      if (!subscriptionId || !customerId) return null; // a one-off invoice: no plan depends on it
      return { subscriptionId, customerId, userId: null };
    }
    default:
      return null;
  }
}

const earliest = (dates: Array<Date | null | undefined>) =>
  dates.filter((date): date is Date => date instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;

/** Thrown inside the transaction when the row changed after the fetch: roll back, fetch again. */
class SubscriptionMoved extends Error {}
const FETCH_ATTEMPTS = 3;

/**
 * Applies one verified event. Throws on a database or Stripe failure, so Stripe retries it.
 * Stripe is called with no lock held (a slow Stripe must not hold users' rows and connections):
 * fetch the subscription, then lock the row and write, unless the row changed since the fetch
 * began (another event got there first), in which case fetch again.
 */
export async function applyStripeEvent(event: Stripe.Event): Promise<WebhookResult> {
  const target = eventTarget(event);
  if (!target) return "ignored";
  const db = await getDb();
  for (let attempt = 0; attempt < FETCH_ATTEMPTS; attempt++) {
    if (await stripeEventRecorded(event.id)) return "duplicate"; // no Stripe call for a redelivery
    const seen = await findSubscriptionRow(target.customerId, target.userId);
    const subscription = await getStripe().subscriptions.retrieve(target.subscriptionId);
    try {
      return await db.transaction(async (tx) => {
        if (!(await claimStripeEvent(tx, event.id, event.type))) return "duplicate";
        // Lock the user's row, so two events for one user are written one after the other.
        const byCustomer = await lockSubscriptionByCustomer(tx, target.customerId);
        const userId = byCustomer?.userId ?? target.userId;
        if (!userId || !(await userExists(tx, userId))) return "no_user"; // e.g. the account was deleted
        const row = byCustomer ?? (await lockSubscriptionByUser(tx, userId));
        if (row?.updatedAt.getTime() !== seen?.updatedAt.getTime()) throw new SubscriptionMoved();

        // A late event about an old, ended subscription must not replace a newer live one.
        const replacesOther = row?.stripeSubscriptionId && row.stripeSubscriptionId !== subscription.id;
        if (replacesOther && isLiveStatus(row.status) && !isLiveStatus(subscription.status)) return "stale";

        const state = subscriptionState(subscription);
        // The grace period runs from the first event that showed the payment failure.
        const paymentFailedAt =
          state.status === "past_due"
            ? earliest([row?.status === "past_due" ? row.paymentFailedAt : null, new Date(event.created * 1000)])
            : null;
        await writeSubscriptionState(tx, userId, idOf(subscription.customer) ?? target.customerId, { ...state, paymentFailedAt });
        return "applied";
      });
    } catch (error) {
      if (!(error instanceof SubscriptionMoved)) throw error;
    }
  }
  throw new Error(`subscription ${target.subscriptionId} kept changing while event ${event.id} was applied; Stripe will retry`);
}

export type WebhookResponse = { status: number; body: { received: boolean; result?: WebhookResult; error?: string } };

/** Verifies the signature on the exact raw body, then applies the event. */
export async function handleStripeWebhook(rawBody: string, signature: string | null): Promise<WebhookResponse> {
  if (!isBillingConfigured) return { status: 400, body: { received: false, error: "billing is not configured" } };
  if (!signature) return { status: 400, body: { received: false, error: "missing Stripe-Signature header" } };
  let event: Stripe.Event;
  try {
    event = await getStripe().webhooks.constructEventAsync(rawBody, signature, webhookSecret());
  } catch {
    return { status: 400, body: { received: false, error: "invalid signature" } };
  }
  const result = await applyStripeEvent(event);
  return { status: 200, body: { received: true, result } };
}
