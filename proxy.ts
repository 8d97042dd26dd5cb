import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextMiddleware, type NextRequest } from "next/server";
import { authConfig } from "@/lib/auth.config";
import { applySecurityHeaders, contentSecurityPolicy } from "@/lib/security-headers";

// Page redirects and security headers. This is NOT the security boundary (a proxy can be
// skipped, cf. CVE-2025-29927): every page, action and route handler checks the session itself.
const { auth } = NextAuth(authConfig);

const SIGNED_IN_ONLY = ["/chat", "/account", "/admin"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_ONLY.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

// auth(fn) is overloaded for route handlers too; here it is used as the proxy function.
const withSession = auth((request) => {
  const isProduction = process.env.NODE_ENV === "production";
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, !isProduction);
  const { pathname, search } = request.nextUrl;

  let response: NextResponse;
  if (needsSession(pathname) && !request.auth) {
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
}) as unknown as NextMiddleware;

/**
 * Auth.js re-issues the session cookie on every request it sees (a rolling expiry). A router
 * prefetch that set out before a log-out can answer after it, and that refreshed cookie would
 * undo the log-out. Prefetches are not user activity: they never refresh the session cookie.
 */
function withoutSessionRefresh(response: Response): Response {
  const cookies = response.headers.getSetCookie();
  const kept = cookies.filter((cookie) => !/^(__Secure-)?authjs\.session-token(\.\d+)?=/.test(cookie));
  if (kept.length === cookies.length) return response;
  response.headers.delete("set-cookie");
  for (const cookie of kept) response.headers.append("set-cookie", cookie);
  return response;
}

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  const response = await withSession(request, event);
  if (response instanceof Response && request.headers.has("next-router-prefetch")) return withoutSessionRefresh(response);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
