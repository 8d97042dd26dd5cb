import "server-only";
import { getDb } from "@/db";
import { evictCacheEntriesFor, findSemanticMatch, hasSemanticCacheTable, insertSemanticEntry } from "@/db/queries/semantic-cache";
import { EMBEDDING_MAX_INPUT_TOKENS } from "@/lib/ai/models";
import { openAIServices } from "@/lib/ai/provider";
import { countEmbeddingTokens } from "@/lib/ai/tokens";
import { AppError } from "@/lib/errors";
import type { GuardContext } from "@/lib/guard/context";
import { sha256 } from "@/lib/guard/hashing";
import { redis } from "@/lib/redis";
import { normalizeText } from "@/lib/guard/steps/cache";
import { lexicalKey } from "./lexical";

// The semantic cache (DESIGN.md §12): a request the exact cache missed may still be answered
// with the stored answer of a near-identical earlier request, when
//   - the scope matches in the query itself: the same user (or, for a feature declared shared,
//     shared entries only), feature, model, prompt version and parameters;
//   - the lexical check passes: the same numbers, units, quoted strings, names and negations;
//   - the embeddings' cosine similarity reaches the feature's threshold (default 0.95).
// It costs one embedding call (reserved with the request, settled and audited) and one indexed
// query. Off where the database has no pgvector, for texts too long to embed, and for any
// request that carries a conversation's history (a reply depends on the whole conversation).

export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;
export const SEMANTIC_TTL_SECONDS = 24 * 60 * 60;

/** What the semantic cache did for one request; the audit row records it. */
export type SemanticCacheState = {
  /** Embedding tokens held in the reservation (the text's count: the worst case). */
  reservedTokens: number;
  /** Embedding tokens billed (0 until the embedding call answered). */
  tokens: number;
  vector?: number[];
  hit?: { entryId: number; similarity: number };
};

const globalForSemantic = globalThis as unknown as { semanticReady?: Promise<boolean> };

/**
 * Whether the database has the semantic cache (checked once per process). When it has not,
 * one line says so and the semantic cache stays off; the exact cache works either way.
 */
export function semanticCacheReady(): Promise<boolean> {
  globalForSemantic.semanticReady ??= getDb()
    .then(hasSemanticCacheTable)
    .then((ready) => {
      if (!ready) {
        console.warn(
          "[semantic-cache] off: this database has no pgvector extension (no semantic_cache table); the exact cache keeps working.",
        );
      }
      return ready;
    })
    .catch((error) => {
      globalForSemantic.semanticReady = undefined; // a database that was down is asked again
      throw error;
    });
  return globalForSemantic.semanticReady;
}

const embeddedText = (ctx: GuardContext) => normalizeText(ctx.input!.userText);

function semanticApplies(ctx: GuardContext): boolean {
  const { feature, input } = ctx;
  if (!feature.semanticCache || feature.cache === "off" || !input) return false;
  // The embeddings are OpenAI's: without OPENAI_API_KEY (another provider answers) it is skipped.
  if (!openAIServices()) return false;
  if (ctx.cachedAnswer !== undefined) return false; // the exact cache answered: nothing to look up
  return !input.messages.some((message) => message.role === "assistant");
}

/**
 * The quota step's share: the embedding call's worst case, in tokens, to add to the request's
 * reservation (0 when the semantic cache will not run for it). Records the state it sets up.
 */
export async function reserveSemanticLookup(ctx: GuardContext): Promise<number> {
  if (!semanticApplies(ctx)) return 0;
  try {
    if (!(await semanticCacheReady())) return 0;
  } catch (error) {
    console.error("[semantic-cache] could not check the database", error);
    return 0;
  }
  const tokens = await countEmbeddingTokens(embeddedText(ctx));
  if (tokens === 0 || tokens > EMBEDDING_MAX_INPUT_TOKENS) return 0;
  ctx.semanticCache = { reservedTokens: tokens, tokens: 0 };
  return tokens;
}

/**
 * The scope key: who may be served (the user, or everyone for a shared feature), and everything
 * the model sees besides the user's text: feature, model, prompt version, the parameters, and
 * the text of every other message (the system prompt itself, so a prompt changed without a new
 * version never meets an old answer either).
 */
function scopeOf(ctx: GuardContext): { scopeKey: string; userId: string | null } {
  const { feature, input, user } = ctx;
  const userId = feature.cache === "shared" ? null : user!.id;
  const scope = userId === null ? "shared" : `user:${userId}`;
  const otherMessages = input!.messages.filter((message) => message.role !== "user").map(({ role, content }) => [role, content]);
  const params = input!.semanticParams ?? input!.cacheParams;
  const material = JSON.stringify([
    scope,
    feature.name,
    input!.model,
    input!.promptVersion,
    params,
    otherMessages,
    input!.promptAddedText ?? "",
  ]);
  return { scopeKey: sha256(material), userId };
}

/**
 * On an exact miss: the stored answer of a near-identical request of the same scope, or
 * undefined. A failing embedding call or query is a miss (the request goes on to the model);
 * the embedding tokens billed are charged either way.
 */
export async function lookupSemanticCache(ctx: GuardContext): Promise<string | undefined> {
  const state = ctx.semanticCache;
  if (!state || !semanticApplies(ctx)) return undefined;
  const started = performance.now();
  try {
    const embedding = await openAIServices()!.embed(embeddedText(ctx), ctx.signal);
    state.tokens = embedding.tokens;
    state.vector = embedding.vector;
    const match = await findSemanticMatch({
      ...scopeOf(ctx),
      lexicalKey: lexicalKey(embeddedText(ctx)),
      vector: embedding.vector,
      threshold: ctx.feature.semanticCache!.threshold ?? DEFAULT_SEMANTIC_THRESHOLD,
    });
    if (!match) return undefined;
    state.hit = { entryId: match.id, similarity: match.similarity };
    return match.answer;
  } catch (error) {
    // Sent and never answered (timed out, or the client left): the provider may have run it, and
    // an embedding bills exactly its input, the count already reserved. Charged, like item 8's
    // model calls; a refusal (429, 500) bills nothing.
    if (ctx.signal.aborted || (error instanceof AppError && error.code === "upstream_timeout")) state.tokens = state.reservedTokens;
    if (ctx.signal.aborted) throw error;
    console.error("[semantic-cache] lookup failed", error);
    return undefined;
  } finally {
    ctx.timings.semantic_cache = Math.round((performance.now() - started) * 1000) / 1000;
  }
}

/** Stores a validated answer under the request's embedding (a request that was looked up and missed). */
export async function storeInSemanticCache(ctx: GuardContext, answer: string): Promise<void> {
  const state = ctx.semanticCache;
  if (!state?.vector || state.hit) return;
  const { input } = ctx;
  try {
    await insertSemanticEntry({
      ...scopeOf(ctx),
      lexicalKey: lexicalKey(embeddedText(ctx)),
      feature: ctx.feature.name,
      model: input!.model,
      promptVersion: input!.promptVersion,
      requestId: ctx.requestId,
      answer,
      vector: state.vector,
      ttlSeconds: ctx.feature.semanticCache!.ttlSeconds ?? SEMANTIC_TTL_SECONDS,
    });
  } catch (error) {
    console.error("[semantic-cache] store failed", error);
  }
}

/** A user's thumbs-down: the answer leaves the semantic and the exact cache. Never throws (the vote is saved). */
export async function evictCachedAnswer(requestId: string, userId: string): Promise<void> {
  try {
    const { exactKeys } = await evictCacheEntriesFor(requestId, userId);
    if (exactKeys.length > 0) await redis.del(...exactKeys);
  } catch (error) {
    console.error("[cache] eviction after a thumbs-down failed", requestId, error);
  }
}
