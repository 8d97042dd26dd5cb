import "server-only";
import { AppError } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import { callStripe } from "@/lib/stripe";

// Prices are found by the lookup key in lib/plans.ts (created by `npm run stripe:setup`), so
// no price id needs configuring. A small cache saves a Stripe call per checkout.
const CACHE_MS = 10 * 60 * 1000;
const cache = new Map<string, { priceId: string; expiresAt: number }>();

export async function priceIdForPlan(plan: Plan): Promise<string> {
  const lookupKey = plan.priceLookupKey;
  if (!lookupKey) throw new AppError("invalid_input", { message: `The ${plan.name} plan cannot be bought.` });
  const cached = cache.get(lookupKey);
  if (cached && cached.expiresAt > Date.now()) return cached.priceId;

  const prices = await callStripe((stripe) => stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 }));
  const price = prices.data[0];
  if (!price) {
    console.error(`No active Stripe price with lookup key "${lookupKey}". Run: npm run stripe:setup`);
    throw new AppError("billing_not_configured", { message: "This plan is not for sale yet. Please try again later." });
  }
  cache.set(lookupKey, { priceId: price.id, expiresAt: Date.now() + CACHE_MS });
  return price.id;
}
