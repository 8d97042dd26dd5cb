import type { Plan } from "@/lib/plans";

// Which model a feature uses, and the semantic cache's embedding model. Prices, context windows
// and capabilities: lib/ai/catalogue.ts.

/** The model a feature uses for a plan: the best one it allows (lists go cheapest → best). */
export function modelFor(plan: Plan): string {
  const model = plan.models.at(-1);
  if (!model) throw new Error(`Plan ${plan.id} lists no model`);
  return model;
}

// The semantic cache's embeddings (lib/semantic): OpenAI's small embedding model, shortened to
// EMBEDDING_DIMENSIONS (text-embedding-3 models keep most of their quality when cut; 256 floats
// keep the table and its index small). Changing either needs a migration of semantic_cache; its
// price is in lib/ai/catalogue.ts (EMBEDDING_PRICES).
export const EMBEDDING_MODEL = "text-embedding-3-small";
export const EMBEDDING_DIMENSIONS = 256;
/** The endpoint refuses longer inputs; a longer text skips the semantic cache. */
export const EMBEDDING_MAX_INPUT_TOKENS = 8192;
