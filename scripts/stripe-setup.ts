// npm run stripe:setup — creates the products and prices of lib/plans.ts in the Stripe account
// of STRIPE_SECRET_KEY, idempotently: a price is found by its lookup key, so running it again
// creates nothing. The app resolves prices by lookup key at runtime: no price id to configure.
// (This script runs outside Next, so it imports no "server-only" module.)
import { pathToFileURL } from "node:url";
import Stripe from "stripe";
import { PAID_PLANS } from "../lib/plans";

export type SetupLine = { plan: string; lookupKey: string; priceId: string; created: boolean };

const productIdFor = (planId: string) => `saas_starter_${planId}`;

async function ensureProduct(stripe: Stripe, planId: string, name: string): Promise<string> {
  const id = productIdFor(planId);
  try {
    return (await stripe.products.retrieve(id)).id;
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError) || error.statusCode !== 404) throw error;
    return (await stripe.products.create({ id, name, metadata: { planId } }, { idempotencyKey: `setup-product:${id}` })).id;
  }
}

export async function ensurePlanPrices(stripe: Stripe): Promise<SetupLine[]> {
  const lines: SetupLine[] = [];
  for (const plan of PAID_PLANS) {
    const lookupKey = plan.priceLookupKey!;
    const existing = (await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 })).data[0];
    if (existing) {
      lines.push({ plan: plan.id, lookupKey, priceId: existing.id, created: false });
      continue;
    }
    const product = await ensureProduct(stripe, plan.id, `${plan.name} plan`);
    const price = await stripe.prices.create(
      {
        product,
        currency: "usd",
        unit_amount: Math.round(plan.monthlyPriceUsd * 100),
        recurring: { interval: "month" },
        lookup_key: lookupKey,
        metadata: { planId: plan.id },
      },
      { idempotencyKey: `setup-price:${lookupKey}:${plan.monthlyPriceUsd}` },
    );
    lines.push({ plan: plan.id, lookupKey, priceId: price.id, created: true });
  }
  return lines;
}

/** The same host override the app uses (lib/stripe.ts), so the script also runs against a fake. */
export function stripeFromEnv(environment: Record<string, string | undefined> = process.env): Stripe {
  const key = environment.STRIPE_SECRET_KEY?.trim();
  if (!key) throw new Error("Set STRIPE_SECRET_KEY (a test-mode key, sk_test_…) first.");
  const base = environment.STRIPE_API_BASE ? new URL(environment.STRIPE_API_BASE) : null;
  return new Stripe(key, {
    ...(base && { host: base.hostname, port: base.port, protocol: base.protocol === "http:" ? "http" : "https" }),
    telemetry: false,
  });
}

async function main() {
  const lines = await ensurePlanPrices(stripeFromEnv());
  for (const line of lines) {
    console.log(`${line.created ? "created" : "exists "} ${line.plan}: price ${line.priceId} (lookup key ${line.lookupKey})`);
  }
  console.log(
    [
      "",
      "Prices are found by lookup key at runtime, so no price id goes into the environment.",
      "Add these lines to .env.local (the webhook secret comes from `stripe listen` or the dashboard):",
      "STRIPE_SECRET_KEY=sk_test_…",
      "STRIPE_WEBHOOK_SECRET=whsec_…",
    ].join("\n"),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
