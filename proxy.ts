import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { authSecret } from "@/lib/dev-auth-secret";
import { applySecurityHeaders, contentSecurityPolicy } from "@/lib/security-headers";

// Page redirects and security headers. This is NOT the security boundary (a proxy can be
// skipped, cf. CVE-2025-29927): every page, action and route handler checks the session itself.

const SIGNED_IN_ONLY = ["/chat", "/tools", "/account", "/admin"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_ONLY.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * Reads the session cookie without writing one. (Auth.js's `auth()` proxy wrapper re-sets the
 * cookie on every response to roll its expiry; a prefetch still in flight at log-out would then
 * put the old session back.) Auth.js names the cookie `__Secure-…` behind HTTPS: accept either.
 */
async function hasSessionCookie(request: NextRequest): Promise<boolean> {
  const secret = authSecret();
  if (!secret) return false;
  for (const secureCookie of [true, false]) {
    if (await getToken({ req: request, secret, secureCookie })) return true;
  }
  return false;
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const isProduction = process.env.NODE_ENV === "production";
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, !isProduction);
  const { pathname, search } = request.nextUrl;

  let response: NextResponse;
  if (needsSession(pathname) && !(await hasSessionCookie(request))) {
    const login = new URL("/login", request.nextUrl);
    login.searchParams.set("next", `${pathname}${search}`);
    response = NextResponse.redirect(login);
  } else {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  applySecurityHeaders(response.headers, csp, isProduction);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
