import "server-only";
import { redis, redisKey } from "@/lib/redis";
import type { GuardContext } from "../context";
import { sha256 } from "../hashing";
import { requireInput } from "./require";

const CACHE_TTL_SECONDS = 24 * 60 * 60;

/** Collapses whitespace so trivially different copies of one text share an answer. */
export const normalizeText = (text: string) => text.trim().replace(/\s+/g, " ");

/**
 * The key covers everything that changes the answer. Scope is the user unless the feature is
 * declared shareable: one user's answer is never served to another by default.
 */
export function cacheKeyFor(ctx: GuardContext): string {
  const { user, input } = requireInput(ctx);
  const scope = ctx.feature.cache === "shared" ? "shared" : `user:${user.id}`;
  const material = JSON.stringify([scope, ctx.feature.name, input.model, input.promptVersion, normalizeText(input.userText), input.cacheParams]);
  return redisKey("ai-cache", sha256(material));
}

/** Answer from the cache when this exact request was answered before. */
export async function lookupCache(ctx: GuardContext): Promise<void> {
  if (ctx.feature.cache === "off") return;
  ctx.cacheKey = cacheKeyFor(ctx);
  try {
    // Wrapped in an object: the client (de)serializes JSON values itself.
    const hit = await redis.get<{ answer: string; requestId?: string }>(ctx.cacheKey);
    if (typeof hit?.answer === "string") {
      ctx.cachedAnswer = hit.answer;
      ctx.cachedFrom = hit.requestId;
    }
  } catch (error) {
    // A cache that cannot answer is a miss: the request is already rate limited and reserved.
    console.error("[guard] cache lookup failed", error);
  }
}

/** Stores a validated answer (never an error or an unvalidated one). */
export async function storeInCache(ctx: GuardContext, answer: string): Promise<void> {
  if (!ctx.cacheKey) return;
  try {
    // The request id lets a thumbs-down on a later hit find the answer's other cache entries.
    await redis.set(ctx.cacheKey, { answer, requestId: ctx.requestId }, { ex: CACHE_TTL_SECONDS });
  } catch (error) {
    console.error("[guard] cache store failed", error);
  }
}
