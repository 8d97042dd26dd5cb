import "server-only";
import { redis, redisKey } from "@/lib/redis";
import type { AiFeature, GuardContext, PreparedInput } from "../context";
import { sha256 } from "../hashing";

const CACHE_TTL_SECONDS = 24 * 60 * 60;

/** Collapses whitespace so trivially different copies of one text share an answer. */
export const normalizeText = (text: string) => text.trim().replace(/\s+/g, " ");

/**
 * The key covers everything that changes the answer. Scope is the user unless the feature is
 * declared shareable: one user's answer is never served to another by default. The exact cache
 * is read in the guard's Redis round trip (lib/guard/redis-round-trip.ts), a hit stored as
 * `{ answer }` (the client (de)serializes JSON values itself).
 */
export function cacheKeyFor(feature: AiFeature, userId: string, input: PreparedInput): string {
  const scope = feature.cache === "shared" ? "shared" : `user:${userId}`;
  const material = JSON.stringify([
    scope,
    feature.name,
    input.model,
    input.promptVersion,
    normalizeText(input.userText),
    input.cacheParams,
  ]);
  return redisKey("ai-cache", sha256(material));
}

/** Stores a validated answer (never an error or an unvalidated one). */
export async function storeInCache(ctx: GuardContext, answer: string): Promise<void> {
  if (!ctx.cacheKey) return;
  try {
    await redis.set(ctx.cacheKey, { answer }, { ex: CACHE_TTL_SECONDS });
  } catch (error) {
    console.error("[guard] cache store failed", error);
  }
}
