// Drives the fake Stripe that tests/e2e/start-server.ts runs next to the app, and delivers
// signed webhooks to the app the way Stripe does.
import type { APIRequestContext } from "@playwright/test";
import type { FakeSubscription, RecordedRequest, SubscriptionChange } from "../fakes/stripe-server";
import { signatureFor, stripeEvent, type FakeEvent } from "../fakes/stripe-events";
import { SENTINELS } from "../support/sentinels";

export { failedInvoice, stripeEvent } from "../fakes/stripe-events";

export const fakeStripeUrl = () => `http://127.0.0.1:${process.env.E2E_FAKE_STRIPE_PORT}`;

async function control<T>(method: "GET" | "POST", path: string, body?: object): Promise<T> {
  const response = await fetch(`${fakeStripeUrl()}/__fake/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`fake Stripe ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export const fakeStripeRequests = () => control<RecordedRequest[]>("GET", "requests");
export const completeCheckout = (sessionId: string) =>
  control<{ session: Record<string, unknown>; subscription: FakeSubscription }>("POST", `checkout/${sessionId}/complete`);
export const changeSubscription = (id: string, change: SubscriptionChange) =>
  control<FakeSubscription>("POST", `subscriptions/${id}`, change);

/** Posts an event to the app's webhook, signed with the server's (sentinel) webhook secret. */
export function deliverWebhook(
  request: APIRequestContext,
  event: FakeEvent,
  signature = signatureFor(event.payload, SENTINELS.STRIPE_WEBHOOK_SECRET),
) {
  return request.post("/api/stripe/webhook", {
    headers: { "content-type": "application/json", ...(signature && { "stripe-signature": signature }) },
    data: event.payload,
  });
}

/** Completes a checkout session at the fake and tells the app, as Stripe would. */
export async function payAndNotify(request: APIRequestContext, sessionId: string) {
  const { session, subscription } = await completeCheckout(sessionId);
  const response = await deliverWebhook(request, stripeEvent("checkout.session.completed", session));
  if (response.status() !== 200) throw new Error(`webhook refused: ${response.status()} ${await response.text()}`);
  return subscription;
}

export { actionId, postAction } from "./server-actions";
