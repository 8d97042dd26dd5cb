import { afterAll, expect, it } from "vitest";
import { ensurePlanPrices, stripeFromEnv } from "@/scripts/stripe-setup";
import { startFakeStripe } from "../fakes/stripe-server";

const fake = await startFakeStripe(0, { seedPrices: false });
afterAll(() => fake.stop());

it("creates one product and price per paid plan by lookup key, and nothing on a second run", async () => {
  const stripe = stripeFromEnv({ STRIPE_SECRET_KEY: "sk_test_setup", STRIPE_API_BASE: fake.url });
  const first = await ensurePlanPrices(stripe);
  expect(first).toEqual([{ plan: "pro", lookupKey: "pro_monthly", priceId: expect.stringMatching(/^price_/), created: true }]);
  const second = await ensurePlanPrices(stripe);
  expect(second).toEqual([{ ...first[0], created: false }]);
  expect(fake.prices.size).toBe(1);
  expect([...fake.prices.values()][0]).toMatchObject({
    unit_amount: 2000,
    currency: "usd",
    lookup_key: "pro_monthly",
    recurring: { interval: "month" },
  });
  expect(fake.requestsTo("POST", "/v1/prices")[0]!.idempotencyKey).toBe("setup-price:pro_monthly:20");
});
