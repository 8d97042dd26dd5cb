import { getToken } from "next-auth/jwt";
import { authSecret } from "@/lib/dev-auth-secret";

/**
 * The user id in a request's Auth.js session cookie, or null: the cookie is decrypted and its
 * expiry checked, nothing is written. Shared by proxy.ts and lib/session.ts; cheaper than
 * `auth()`, which runs Auth.js's whole session endpoint in process on every call. Auth.js
 * names the cookie `__Secure-…` behind HTTPS: accept either (a `__Secure-` cookie can only
 * have been set over HTTPS).
 */
export async function sessionUserIdFrom(headers: Headers): Promise<string | null> {
  const secret = authSecret();
  if (!secret) return null;
  for (const secureCookie of [true, false]) {
    const token = await getToken({ req: { headers }, secret, secureCookie });
    if (token?.sub) return token.sub;
  }
  return null;
}
