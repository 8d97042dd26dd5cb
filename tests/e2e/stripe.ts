// Drives the fake Stripe that tests/e2e/start-server.ts runs next to the app, and delivers
// signed webhooks to the app the way Stripe does.
import { readFileSync } from "node:fs";
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
export const changeSubscription = (id: string, change: SubscriptionChange) => control<FakeSubscription>("POST", `subscriptions/${id}`, change);

/** Posts an event to the app's webhook, signed with the server's (sentinel) webhook secret. */
export function deliverWebhook(request: APIRequestContext, event: FakeEvent, signature = signatureFor(event.payload, SENTINELS.STRIPE_WEBHOOK_SECRET)) {
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

/** A server action's id in this build, by its exported name. */
export function actionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, action]) => action.exportedName === exportedName);
  if (!entry) throw new Error(`no server action named ${exportedName} in the build`);
  return entry[0];
}

/** Posts to a server action the way React's form action does: (previousState, formData). */
export function postAction(request: APIRequestContext, pagePath: string, id: string, fields: Record<string, string>) {
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  multipart.append("0", JSON.stringify([null, "$K1"]));
  return request.post(pagePath, { headers: { "Next-Action": id }, multipart, maxRedirects: 0 });
}
