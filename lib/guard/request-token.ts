import "server-only";
import { authSecret } from "@/lib/auth/dev-secret";
import { redisKey } from "@/lib/redis";
import { requestTokenKey, signRequestToken, verifyRequestToken } from "./request-token-codec";

let key: Buffer | undefined;
function tokenKey(): Buffer {
  const secret = authSecret();
  if (!secret) throw new Error("AUTH_SECRET is required to issue request tokens");
  return (key ??= requestTokenKey(secret));
}

/** A fresh token, issued with the page and with every response. */
export function issueRequestToken(userId: string): string {
  return signRequestToken(tokenKey(), userId);
}

/**
 * A valid, unexpired token for this user: the Redis key that claims its nonce once (SET NX EX,
 * in the guard's Redis round trip) and the seconds it must be kept; null otherwise.
 */
export function verifiedRequestToken(userId: string, token: string): { nonceKey: string; ttlSeconds: number } | null {
  const valid = verifyRequestToken(tokenKey(), userId, token);
  if (!valid) return null;
  return { nonceKey: redisKey("request-nonce", valid.nonce), ttlSeconds: Math.max(1, valid.expiresAt - Math.floor(Date.now() / 1000)) };
}
