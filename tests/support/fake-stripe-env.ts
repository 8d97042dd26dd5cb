import { startFakeStripe } from "../fakes/stripe-server";

export const TEST_WEBHOOK_SECRET = "whsec_test_integration_secret";

/**
 * Starts the fake Stripe and points the app's environment at it. Call before the first
 * (dynamic) import of app code: lib/env.ts reads the environment once, when imported.
 */
export async function startFakeStripeForApp() {
  const fake = await startFakeStripe();
  process.env.STRIPE_SECRET_KEY = "sk_test_fake_integration";
  process.env.STRIPE_WEBHOOK_SECRET = TEST_WEBHOOK_SECRET;
  process.env.STRIPE_API_BASE = fake.url;
  return fake;
}
