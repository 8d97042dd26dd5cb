import { hkdfSync } from "node:crypto";
import { base64url, calculateJwkThumbprint, jwtDecrypt, type JWTPayload } from "jose";
import { authSecret } from "@/lib/auth/dev-secret";

/**
 * A session lasts this long from sign-in, however often Auth.js re-signs the cookie (its
 * session endpoint rolls the cookie's expiry): the sign-in time travels in the token and is
 * checked wherever the cookie is read.
 */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export type SessionClaims = {
  userId: string;
  /** The user row's session_version when the cookie was issued; a bump revokes the cookie. */
  sessionVersion: number;
  /** Sign-in time, seconds since the epoch. */
  signedInAt: number;
};

/** A token's claims when it is still within its lifetime from sign-in, else null. */
export function sessionClaims(
  token: { sub?: unknown; sv?: unknown; auth_time?: unknown } | null,
  nowSeconds = Math.floor(Date.now() / 1000),
): SessionClaims | null {
  if (!token || typeof token.sub !== "string" || !token.sub) return null;
  if (typeof token.sv !== "number" || typeof token.auth_time !== "number") return null; // issued before versions existed
  if (token.auth_time > nowSeconds + 60 || nowSeconds - token.auth_time > SESSION_MAX_AGE_SECONDS) return null;
  return { userId: token.sub, sessionVersion: token.sv, signedInAt: token.auth_time };
}

// Auth.js's session cookie is a JWE ("dir", A256CBC-HS512) whose key is HKDF-SHA256 over
// AUTH_SECRET with the cookie's name as salt (@auth/core/jwt.js, getDerivedEncryptionKey), and
// whose `kid` is that key's JWK thumbprint. Auth.js's own getToken derives the key (and the
// thumbprint) again on every call; here both are derived once per (secret, cookie name, enc)
// and kept, so a request pays for the decryption only. Same derivation, same checks (kid,
// algorithms, 15 s clock tolerance), so every cookie Auth.js issues decodes here and nothing
// else does.
const ENCRYPTIONS = { "A256CBC-HS512": 64, A256GCM: 32 } as const;
type Encryption = keyof typeof ENCRYPTIONS;
const isEncryption = (enc: string): enc is Encryption => Object.hasOwn(ENCRYPTIONS, enc);
type DerivedKey = { key: Uint8Array; kid: string };
const derivedKeys = new Map<string, Promise<DerivedKey>>();

function derivedKey(secret: string, cookieName: string, enc: Encryption): Promise<DerivedKey> {
  const id = JSON.stringify([secret, cookieName, enc]);
  let entry = derivedKeys.get(id);
  if (!entry) {
    const key = new Uint8Array(
      hkdfSync("sha256", secret, cookieName, `Auth.js Generated Encryption Key (${cookieName})`, ENCRYPTIONS[enc]),
    );
    entry = calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, `sha${key.byteLength << 3}` as "sha256" | "sha512").then(
      (kid) => ({ key, kid }),
    );
    derivedKeys.set(id, entry);
  }
  return entry;
}

/** Decrypts an Auth.js session JWT with the cached key; null for anything that is not one of ours. */
export async function decodeSessionToken(token: string, secret: string, cookieName: string): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtDecrypt(
      token,
      async ({ kid, enc }) => {
        if (!isEncryption(enc)) throw new Error("unsupported encryption");
        const derived = await derivedKey(secret, cookieName, enc);
        if (kid !== undefined && kid !== derived.kid) throw new Error("no matching decryption secret");
        return derived.key;
      },
      { clockTolerance: 15, keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256CBC-HS512", "A256GCM"] },
    );
    return payload;
  } catch {
    return null;
  }
}

/**
 * The cookie's value, joined from its chunks as Auth.js writes a large one (`name.0`, `name.1`…),
 * or null. Only the cookie counts: unlike Auth.js's getToken, no `Authorization: Bearer` header
 * is read as a session.
 */
export function sessionCookieValue(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  // As the cookie parser Auth.js vendors: the first of a repeated name wins, values are
  // percent-decoded when they can be.
  const chunks = new Map<number, string>();
  for (const pair of cookieHeader.split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1) continue;
    const key = pair.slice(0, separator).trim();
    const suffix = key.slice(name.length + 1);
    const chunk = key === name ? 0 : key.startsWith(`${name}.`) && /^\d+$/.test(suffix) ? Number(suffix) : null;
    if (chunk === null || chunks.has(chunk)) continue;
    const value = pair.slice(separator + 1).trim();
    let decoded = value;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      // kept as sent
    }
    if (decoded) chunks.set(chunk, decoded);
  }
  if (chunks.size === 0) return null;
  return [...chunks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, value]) => value)
    .join("");
}

/**
 * The claims in a request's Auth.js session cookie, or null: the cookie is decrypted and its
 * expiry and age checked, nothing is written. The database check (version, blocked, deleted)
 * is lib/auth/session-user.ts's and the guard's. Shared by proxy.ts and lib/auth/session-user.ts; cheaper than
 * `auth()`, which runs Auth.js's whole session endpoint in process on every call. In
 * production only the `__Secure-` cookie counts (lib/auth/index.ts always sets that one there);
 * development accepts either.
 */
export async function sessionClaimsFrom(headers: Headers): Promise<SessionClaims | null> {
  const secret = authSecret();
  if (!secret) return null;
  const cookieHeader = headers.get("cookie");
  for (const name of process.env.NODE_ENV === "production" ? [SECURE_COOKIE] : SESSION_COOKIE_NAMES) {
    const token = sessionCookieValue(cookieHeader, name);
    if (!token) continue;
    const claims = sessionClaims(await decodeSessionToken(token, secret, name));
    if (claims) return claims;
  }
  return null;
}

const PLAIN_COOKIE = "authjs.session-token";
const SECURE_COOKIE = `__Secure-${PLAIN_COOKIE}`;
/** Both names Auth.js may have written a session cookie under. */
export const SESSION_COOKIE_NAMES = [SECURE_COOKIE, PLAIN_COOKIE] as const;
