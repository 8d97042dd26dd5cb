import "server-only";
import Stripe from "stripe";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// The real Stripe SDK, configured from the environment. Without STRIPE_SECRET_KEY billing is
// off: /pricing says so and an admin sets plans by hand. STRIPE_API_BASE points the SDK at a
// local server (tests/fakes/stripe-server.ts, or stripe-mock) instead of api.stripe.com.

export const isBillingConfigured = Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET);

function apiBaseOverride(): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!env.STRIPE_API_BASE) return {};
  const base = new URL(env.STRIPE_API_BASE);
  const protocol = base.protocol === "http:" ? "http" : "https";
  return { host: base.hostname, port: base.port || (protocol === "http" ? 80 : 443), protocol };
}

let client: Stripe | undefined;

/** The Stripe client, or AppError("billing_not_configured") when the keys are not set. */
export function getStripe(): Stripe {
  if (!isBillingConfigured || !env.STRIPE_SECRET_KEY) throw new AppError("billing_not_configured");
  client ??= new Stripe(env.STRIPE_SECRET_KEY, {
    ...apiBaseOverride(),
    // Our own calls carry idempotency keys; a retry after a timeout is safe, but a fast failure
    // shown to the user beats a long wait.
    maxNetworkRetries: 1,
    timeout: 15_000,
    telemetry: false,
    appInfo: { name: "secure-ai-saas-starter" },
  });
  return client;
}

export function webhookSecret(): string {
  if (!env.STRIPE_WEBHOOK_SECRET) throw new AppError("billing_not_configured");
  return env.STRIPE_WEBHOOK_SECRET;
}

/** Runs a Stripe call; a network or API failure becomes a typed error the user can act on. */
export async function callStripe<T>(run: (stripe: Stripe) => Promise<T>): Promise<T> {
  const stripe = getStripe();
  try {
    return await run(stripe);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      console.error("Stripe call failed", error.type, error.code, error.message);
      throw new AppError("billing_unavailable", { cause: error });
    }
    throw error;
  }
}

export type { Stripe };
