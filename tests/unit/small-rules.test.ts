import { describe, expect, it } from "vitest";
import { ERROR_CODES, rateLimitedError } from "@/lib/errors";
import { getPlan, PLANS } from "@/lib/plans";
import { safeNextPath } from "@/lib/safe-redirect";
import { contentSecurityPolicy } from "@/lib/security-headers";
import { nextUtcMidnight, utcDay } from "@/lib/time";
import { clientIp } from "@/lib/client-ip";

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
    for (const hostile of ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", undefined, 42]) {
      expect(safeNextPath(hostile)).toBe("/chat");
    }
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
  it("reads the first forwarded address", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }))).toBe("203.0.113.7");
    expect(clientIp(new Headers({ "x-real-ip": "198.51.100.2", "x-forwarded-for": "1.1.1.1" }))).toBe("198.51.100.2");
    expect(clientIp(new Headers())).toBe("unknown");
  });
});
