import { describe, expect, it } from "vitest";
import { ERROR_CODES, rateLimitedError } from "@/lib/errors";
import { getPlan, PLANS } from "@/lib/plans";
import { safeNextPath } from "@/lib/http/safe-redirect";
import { contentSecurityPolicy } from "@/lib/http/security-headers";
import { nextUtcMidnight, utcDay } from "@/lib/time";
import { clientIp, parseTrustedProxy } from "@/lib/http/client-ip";
import { parseEnv } from "@/lib/env";

describe("plans", () => {
  it("falls back to Free for an unknown or missing plan id", () => {
    expect(getPlan("enterprise-forged")).toBe(PLANS.free);
    expect(getPlan(null)).toBe(PLANS.free);
    expect(getPlan("pro")).toBe(PLANS.pro);
  });
  it("gives Pro more than Free on every limit", () => {
    for (const key of ["requestsPerDay", "tokensPerDay", "requestsPerMinute", "maxInputChars", "maxOutputTokens"] as const) {
      expect(PLANS.pro[key]).toBeGreaterThan(PLANS.free[key]);
    }
  });
});

describe("post-login redirect", () => {
  it("keeps same-site paths and refuses everything else", () => {
    expect(safeNextPath("/account?tab=usage")).toBe("/account?tab=usage");
    expect(safeNextPath("/chat/123#end")).toBe("/chat/123#end");
    expect(safeNextPath("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example"); // a path on this site, not a host
    const hostile = [
      "//evil.example",
      "///evil.example",
      "https://evil.example",
      "javascript:alert(1)",
      "data:text/html,x",
      "/\\evil.example",
      "\\evil.example",
      "/\\/evil.example",
      "\\/evil.example",
      "/\tevil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r/evil.example",
      "/\u0000/evil.example",
      "/\u007f/evil.example",
      "/ /evil.example".replace(" ", "\t"),
      "http:/evil.example",
      "/.//evil.example".slice(2),
      "evil.example",
      "",
      "/" + "a".repeat(3000),
      undefined,
      42,
      null,
      ["/account"],
    ];
    for (const value of hostile) expect(safeNextPath(value), JSON.stringify(value)).toBe("/chat");
    // What the query string decodes to: "?next=/%09/evil.example" arrives as "/\t/evil.example".
    expect(safeNextPath(new URLSearchParams("next=/%09/evil.example").get("next"))).toBe("/chat");
    expect(safeNextPath(new URLSearchParams("next=/%5C/evil.example").get("next"))).toBe("/chat");
    expect(safeNextPath(new URLSearchParams("next=%2F%2Fevil.example").get("next"))).toBe("/chat");
  });
});

describe("errors", () => {
  it("tells a rate-limited user when to retry", () => {
    const error = rateLimitedError(125);
    expect(error.status).toBe(429);
    expect(error.message).toBe("Too many attempts. Try again in 3 minutes.");
    expect(error.toPayload()).toMatchObject({ code: "rate_limited", retryAfterSeconds: 125 });
    expect(ERROR_CODES.unauthorized.status).toBe(401);
  });
});

describe("content security policy", () => {
  it("allows only nonced scripts and no framing in production", () => {
    const csp = contentSecurityPolicy("abc", false);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe("time and client ip", () => {
  it("uses UTC days", () => {
    const lateEvening = new Date("2026-03-01T23:59:59.000Z");
    expect(utcDay(lateEvening)).toBe("2026-03-01");
    expect(nextUtcMidnight(lateEvening).toISOString()).toBe("2026-03-02T00:00:00.000Z");
  });
  it("reads the client address only from the declared proxy's header", () => {
    const spoofed = { "x-real-ip": "6.6.6.6", "cf-connecting-ip": "7.7.7.7" };
    // One proxy appends the address it saw; what the client wrote stays to its left.
    const chain = new Headers({ ...spoofed, "x-forwarded-for": "9.9.9.9, 203.0.113.7" });
    expect(clientIp(chain, 1)).toBe("203.0.113.7");
    expect(clientIp(new Headers({ "x-forwarded-for": "9.9.9.9, 203.0.113.7, 10.0.0.2" }), 2)).toBe("203.0.113.7");
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.7" }), 2)).toBe("unknown");
    expect(
      clientIp(new Headers({ "x-real-ip": "198.51.100.2", "x-forwarded-for": "1.1.1.1", "cf-connecting-ip": "7.7.7.7" }), "vercel"),
    ).toBe("198.51.100.2");
    expect(
      clientIp(new Headers({ "cf-connecting-ip": "198.51.100.3", "x-real-ip": "6.6.6.6", "x-forwarded-for": "1.1.1.1" }), "cloudflare"),
    ).toBe("198.51.100.3");
    for (const headers of [chain, new Headers(spoofed), new Headers()]) expect(clientIp(headers, "none")).toBe("unknown");
    expect(parseTrustedProxy(undefined)).toBe("none");
    expect(parseTrustedProxy("2")).toBe(2);
    expect(() => parseEnv({ TRUSTED_PROXY: "everyone" })).toThrow(/TRUSTED_PROXY/);
    expect(() => parseEnv({ TRUSTED_PROXY: "0" })).toThrow(/TRUSTED_PROXY/);
  });
});
