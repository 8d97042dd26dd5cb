import { describe, expect, it } from "vitest";
import { catalogueEntry, EMBEDDING_PRICES, MODEL_CATALOGUE, PRICE_VERSION, PROVIDERS, type TokenPrices } from "@/lib/ai/catalogue";
import { EMBEDDING_MODEL } from "@/lib/ai/models";
import { PLANS } from "@/lib/plans";

const PRICE_KINDS = ["uncachedInput", "cacheRead", "cacheWrite", "output", "reasoning"] as const;

/** A price the cost code can add in whole pico-dollars per token (at most six decimals). */
const isWholePicos = (price: number) => Math.abs(price * 1e6 - Math.round(price * 1e6)) < 1e-6;

function expectValidPrices(prices: TokenPrices, label: string) {
  for (const kind of PRICE_KINDS) {
    const price = prices[kind];
    expect(Number.isFinite(price), `${label} ${kind}`).toBe(true);
    expect(price, `${label} ${kind}`).toBeGreaterThanOrEqual(0);
    expect(isWholePicos(price), `${label} ${kind} = ${price}`).toBe(true);
  }
}

describe("model catalogue", () => {
  it("has a price version that is a date", () => {
    expect(PRICE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(PRICE_VERSION))).toBe(false);
  });

  it("prices every model a plan lists, completely and above zero where a token is billed", () => {
    for (const plan of Object.values(PLANS)) {
      expect(plan.models.length, plan.id).toBeGreaterThan(0);
      for (const model of plan.models) {
        const entry = catalogueEntry(model);
        expectValidPrices(entry.prices, model);
        // Input and output are always billed: a zero here would serve requests for free.
        expect(entry.prices.uncachedInput, model).toBeGreaterThan(0);
        expect(entry.prices.output, model).toBeGreaterThan(0);
        expect(entry.prices.reasoning, model).toBeGreaterThan(0);
        // A plan's output cap must be one the model accepts.
        expect(plan.maxOutputTokens, `${plan.id} ${model}`).toBeLessThanOrEqual(entry.maxOutputTokens);
      }
    }
  });

  it("is self-consistent: ids, providers, limits, tiers and fees", () => {
    const entries = Object.entries(MODEL_CATALOGUE);
    expect(entries.length).toBeGreaterThanOrEqual(7);
    for (const [id, entry] of entries) {
      expect(entry.id).toBe(id);
      expect(PROVIDERS).toContain(entry.provider);
      expect(entry.displayName.trim(), id).not.toBe("");
      expect(Number.isInteger(entry.contextWindow) && entry.contextWindow > 0, id).toBe(true);
      expect(Number.isInteger(entry.maxOutputTokens) && entry.maxOutputTokens > 0, id).toBe(true);
      expect(entry.maxOutputTokens, id).toBeLessThanOrEqual(entry.contextWindow);
      expectValidPrices(entry.prices, id);
      // A cache read is a discount; a cache write never is.
      expect(entry.prices.cacheRead, id).toBeLessThanOrEqual(entry.prices.uncachedInput);
      expect(entry.prices.cacheWrite, id).toBeGreaterThanOrEqual(entry.prices.uncachedInput);
      if (entry.longPrompt) {
        expectValidPrices(entry.longPrompt.prices, `${id} long prompt`);
        expect(entry.longPrompt.aboveInputTokens, id).toBeLessThan(entry.contextWindow);
        // The reservation relies on it: a longer prompt never costs less per token.
        for (const kind of PRICE_KINDS) expect(entry.longPrompt.prices[kind], `${id} ${kind}`).toBeGreaterThanOrEqual(entry.prices[kind]);
      }
      for (const [tool, fee] of Object.entries(entry.toolFees)) {
        expect(Number.isInteger(fee) && fee >= 0, `${id} ${tool}`).toBe(true);
      }
    }
  });

  it("covers OpenAI (with a reasoning model), Anthropic and Google", () => {
    const entries = Object.values(MODEL_CATALOGUE);
    expect(entries.filter((entry) => entry.provider === "openai" && entry.capabilities.reasoning).length).toBeGreaterThan(0);
    expect(entries.filter((entry) => entry.provider === "anthropic").length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((entry) => entry.provider === "google").length).toBeGreaterThanOrEqual(2);
  });

  it("keeps today's OpenAI prices", () => {
    expect(catalogueEntry("gpt-4.1-nano").prices).toMatchObject({ uncachedInput: 0.1, output: 0.4 });
    expect(catalogueEntry("gpt-4.1-mini").prices).toMatchObject({ uncachedInput: 0.4, output: 1.6 });
  });

  it("refuses a model it does not price, including inherited property names", () => {
    expect(() => catalogueEntry("unknown-model")).toThrow(/No price for model unknown-model/);
    expect(() => catalogueEntry("toString")).toThrow();
    expect(() => catalogueEntry("__proto__")).toThrow();
  });

  it("prices the semantic cache's embedding model", () => {
    expect(EMBEDDING_PRICES[EMBEDDING_MODEL]).toBeGreaterThan(0);
    expect(isWholePicos(EMBEDDING_PRICES[EMBEDDING_MODEL]!)).toBe(true);
  });
});
