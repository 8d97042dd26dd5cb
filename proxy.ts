import { NextResponse, type NextRequest } from "next/server";
import { applySecurityHeaders, contentSecurityPolicy } from "@/lib/http/security-headers";
import { sessionClaimsFrom } from "@/lib/auth/session-token";

// Page redirects and security headers. This is NOT the security boundary (a proxy can be
// skipped, cf. CVE-2025-29927): every page, action and route handler checks the session itself.
// It only reads the session cookie, never re-sets it: Auth.js's proxy wrapper re-issues it on
// every response to roll its expiry, and a prefetch in flight at log-out then undid the log-out.

const SIGNED_IN_ONLY = ["/chat", "/tools", "/account", "/admin"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_ONLY.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const isProduction = process.env.NODE_ENV === "production";
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, !isProduction);
  const { pathname, search } = request.nextUrl;

  let response: NextResponse;
  if (needsSession(pathname) && !(await sessionClaimsFrom(request.headers))) {
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
