// Webhook events as Stripe sends them, signed with the SDK's own test-header helper.
import { randomBytes } from "node:crypto";
import Stripe from "stripe";

const signer = new Stripe("sk_test_only_used_for_signing");

export type FakeEvent = { id: string; payload: string };

/** A webhook event body. `created` (unix seconds) lets tests say when Stripe saw it happen. */
export function stripeEvent(type: string, object: object, options: { id?: string; created?: number } = {}): FakeEvent {
  const id = options.id ?? `evt_fake${randomBytes(8).toString("hex")}`;
  const payload = JSON.stringify({
    id,
    object: "event",
    api_version: "2026-10-28.endive",
    created: options.created ?? Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
  return { id, payload };
}

export function signatureFor(payload: string, secret: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** An invoice.payment_failed object for a subscription (API 2025+: the id sits under parent). */
export function failedInvoice(subscriptionId: string, customerId: string): object {
  return {
    id: `in_fake${randomBytes(6).toString("hex")}`,
    object: "invoice",
    customer: customerId,
    status: "open",
    attempt_count: 1,
    parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: subscriptionId, metadata: {} } },
  };
}
