import { handleStripeWebhook } from "@/lib/billing/webhook";

// Stripe calls this directly: no session, no CSRF check; the signature is the only gate.
export async function POST(request: Request): Promise<Response> {
  // The signature covers the exact bytes Stripe sent, so read the raw body, never parsed JSON.
  const rawBody = await request.text();
  try {
    const { status, body } = await handleStripeWebhook(rawBody, request.headers.get("stripe-signature"));
    return Response.json(body, { status });
  } catch (error) {
    // Nothing was committed (the event id and its effect share one transaction): Stripe retries.
    console.error("Stripe webhook failed", error);
    return Response.json({ received: false, error: "temporarily unable to process" }, { status: 500 });
  }
}
