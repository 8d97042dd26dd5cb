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
 * prefetch, RSC navigation or action that set out before a log-out can answer after it, and
 * its refreshed cookie would undo the log-out. So only a page load (Sec-Fetch-Dest: document)
 * refreshes it. (Next strips its own router headers before the proxy runs, so a prefetch
 * cannot be told apart by them.) Sign-in and sign-out set their cookies in the action itself,
 * not here, so they are not affected.
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
  const isPageLoad = request.headers.get("sec-fetch-dest") === "document";
  return response instanceof Response && !isPageLoad ? withoutSessionRefresh(response) : response;
}
