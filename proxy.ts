import NextAuth from "next-auth";
import { NextResponse } from "next/server";
import { authConfig } from "@/lib/auth.config";
import { applySecurityHeaders, contentSecurityPolicy } from "@/lib/security-headers";

// Page redirects and security headers. This is NOT the security boundary (a proxy can be
// skipped, cf. CVE-2025-29927): every page, action and route handler checks the session itself.
const { auth } = NextAuth(authConfig);

const SIGNED_IN_ONLY = ["/chat", "/tools", "/account", "/admin"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_ONLY.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

const authProxy = auth((request) => {
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
});

/**
 * Auth.js refreshes the session cookie on every response. A link prefetch or client-side
 * fetch still in flight when the user logs out would then come back with a fresh session
 * cookie and log them in again. So only page loads (Sec-Fetch-Mode: navigate) refresh it;
 * a log-in or log-out sets its own cookies in the action's response, which this leaves alone.
 */
export async function proxy(...args: Parameters<typeof authProxy>) {
  const [request] = args;
  const response = await authProxy(...args);
  if (response instanceof Response && request.headers.get("sec-fetch-mode") !== "navigate") {
    response.headers.delete("set-cookie");
  }
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
