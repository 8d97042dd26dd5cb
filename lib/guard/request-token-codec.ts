import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

// The one-time request token's format, apart from Redis and the environment so tests that hold
// the server's secret can mint tokens too. Token = nonce.expiry.hmac, where the HMAC covers the
// user id as well: a token issued to one user is worthless to another. Friction against
// scripts replaying a captured request, not authentication (the session is that).

export const REQUEST_TOKEN_TTL_SECONDS = 10 * 60;

/** A key of its own for tokens, derived from AUTH_SECRET, so no other use of the secret can forge one. */
export function requestTokenKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "", "one-time-request-token-v1", 32));
}

const mac = (key: Buffer, userId: string, nonce: string, expiresAt: number) =>
  createHmac("sha256", key).update(`${userId}\n${nonce}\n${expiresAt}`).digest("base64url");

export function signRequestToken(key: Buffer, userId: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const nonce = randomBytes(16).toString("base64url");
  const expiresAt = nowSeconds + REQUEST_TOKEN_TTL_SECONDS;
  return `${nonce}.${expiresAt}.${mac(key, userId, nonce, expiresAt)}`;
}

/** The nonce and expiry of a valid, unexpired token for this user; null otherwise. */
export function verifyRequestToken(
  key: Buffer,
  userId: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): { nonce: string; expiresAt: number } | null {
  const [nonce, expiry, signature, ...rest] = token.split(".");
  if (!nonce || !expiry || !signature || rest.length > 0 || !/^\d+$/.test(expiry)) return null;
  const expiresAt = Number(expiry);
  const expected = Buffer.from(mac(key, userId, nonce, expiresAt));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (expiresAt <= nowSeconds) return null;
  return { nonce, expiresAt };
}
