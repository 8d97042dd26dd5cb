import { getToken } from "next-auth/jwt";
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

/**
 * The claims in a request's Auth.js session cookie, or null: the cookie is decrypted and its
 * expiry and age checked, nothing is written. The database check (version, blocked, deleted)
 * is lib/auth/session-user.ts's. Shared by proxy.ts and lib/auth/session-user.ts; cheaper than `auth()`, which
 * runs Auth.js's whole session endpoint in process on every call. In production only the
 * `__Secure-` cookie counts (lib/auth/index.ts always sets that one there); development accepts either.
 */
export async function sessionClaimsFrom(headers: Headers): Promise<SessionClaims | null> {
  const secret = authSecret();
  if (!secret) return null;
  for (const secureCookie of process.env.NODE_ENV === "production" ? [true] : [true, false]) {
    const claims = sessionClaims(await getToken({ req: { headers }, secret, secureCookie }));
    if (claims) return claims;
  }
  return null;
}
