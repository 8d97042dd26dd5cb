import type { Plan } from "@/lib/plans";

// Prices in USD per million tokens, which is also micro-dollars per token. Every model a plan
// lists must be here (a unit test checks it), so no request is ever billed at $0.
export const MODEL_PRICES: Record<string, { input: number; output: number }> = {
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
};

/** Cost in integer micro-dollars, rounded up so many small requests never add up to free. */
export function costMicros(model: string, inputTokens: number, outputTokens: number): number {
  const price = MODEL_PRICES[model];
  if (!price) throw new Error(`No price for model ${model}`);
  return Math.ceil(inputTokens * price.input + outputTokens * price.output);
}

/** The model a feature uses for a plan: the best one it allows (lists go cheapest → best). */
export function modelFor(plan: Plan): string {
  const model = plan.models.at(-1);
  if (!model) throw new Error(`Plan ${plan.id} lists no model`);
  return model;
}

/**
 * A conservative token estimate without a tokenizer: UTF-8 bytes / 3 over-counts English
 * (about 4 characters a token) and is close for CJK (3 bytes, about one token a character).
 * Reservations use it as the worst case; settlement uses the provider's real count.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 3) + 4;
}
