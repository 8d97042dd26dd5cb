import type { Plan } from "@/lib/plans";

// Prices in USD per million tokens, which is also micro-dollars per token. Every model a plan
// lists must be here (a unit test checks it), so no request is ever billed at $0. Every model
// here must use the o200k_base tokenizer (lib/ai/tokens.ts counts with it).
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

// The semantic cache's embeddings (lib/semantic): OpenAI's small embedding model, shortened to
// EMBEDDING_DIMENSIONS (text-embedding-3 models keep most of their quality when cut; 256 floats
// keep the table and its index small). Changing either needs a migration of semantic_cache.
export const EMBEDDING_MODEL = "text-embedding-3-small";
export const EMBEDDING_DIMENSIONS = 256;
/** The endpoint refuses longer inputs; a longer text skips the semantic cache. */
export const EMBEDDING_MAX_INPUT_TOKENS = 8192;
/** USD per million input tokens (micro-dollars per token). */
export const EMBEDDING_PRICE = 0.02;

/** An embedding call's cost in integer micro-dollars, rounded up like `costMicros`. */
export function embeddingCostMicros(tokens: number): number {
  return Math.ceil(tokens * EMBEDDING_PRICE);
}
