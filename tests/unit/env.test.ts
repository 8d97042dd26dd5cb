import { describe, expect, it } from "vitest";
import { parseEnv, productionProblems } from "@/lib/env";

describe("environment validation", () => {
  it("needs nothing in development", () => {
    const env = parseEnv({ NODE_ENV: "development" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(productionProblems(env)).toBeNull();
  });

  it("lists every missing production variable in one message", () => {
    const message = productionProblems(parseEnv({ NODE_ENV: "production" }));
    expect(message).toContain("DATABASE_URL");
    expect(message).toContain("REDIS_URL or UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN");
    expect(message).toContain("AUTH_SECRET");
    expect(message).toContain("OPENAI_API_KEY");
    expect(message).toContain("TRUSTED_PROXY");
    expect(message).toContain("SMTP_URL and EMAIL_FROM");
    expect(message).toContain("DAILY_BUDGET_USD");
    expect(message).toContain("APP_URL");
  });

  it("accepts any one provider's key in production; MODERATION=on still needs OPENAI_API_KEY", () => {
    const base = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db.example.com:5432/app",
      REDIS_URL: "redis://127.0.0.1:6379",
      AUTH_SECRET: "x".repeat(32),
      TRUSTED_PROXY: "1",
      SMTP_URL: "smtp://u:p@smtp.example.com:587",
      EMAIL_FROM: "no-reply@example.com",
      DAILY_BUDGET_USD: "10",
      APP_URL: "https://app.example.com",
    };
    expect(productionProblems(parseEnv(base))).toContain("at least one model provider");
    expect(productionProblems(parseEnv({ ...base, ANTHROPIC_API_KEY: "k" }))).toBeNull();
    expect(productionProblems(parseEnv({ ...base, GEMINI_API_KEY: "k" }))).toBeNull();
    expect(productionProblems(parseEnv({ ...base, OPENAI_COMPATIBLE_API_KEY: "k" }))).toContain("at least one model provider");
    expect(
      productionProblems(parseEnv({ ...base, OPENAI_COMPATIBLE_API_KEY: "k", OPENAI_COMPATIBLE_BASE_URL: "https://llm.example.com/v1" })),
    ).toBeNull();
    expect(productionProblems(parseEnv({ ...base, GEMINI_API_KEY: "k", MODERATION: "on" }))).toContain("OPENAI_API_KEY (MODERATION=on)");
    expect(productionProblems(parseEnv({ ...base, GEMINI_API_KEY: "k", OPENAI_API_KEY: "k", MODERATION: "on" }))).toBeNull();
  });

  it("refuses unsafe production settings in the same message, and accepts an explicit DAILY_BUDGET_USD=off", () => {
    const safe = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db.example.com:5432/app",
      REDIS_URL: "redis://127.0.0.1:6379",
      AUTH_SECRET: "x".repeat(32),
      OPENAI_API_KEY: "key",
      TRUSTED_PROXY: "1",
      SMTP_URL: "smtp://u:p@smtp.example.com:587",
      EMAIL_FROM: "no-reply@example.com",
      DAILY_BUDGET_USD: "off",
      APP_URL: "https://app.example.com",
    };
    expect(productionProblems(parseEnv(safe))).toBeNull();
    expect(parseEnv(safe).DAILY_BUDGET_USD).toBe("off");
    const unsafe = productionProblems(
      parseEnv({
        ...safe,
        DAILY_BUDGET_USD: "",
        BENCH_BARE_ROUTE: "on",
        STRIPE_API_BASE: "https://stripe-proxy.example.com",
        AUTH_SECRET: "",
      }),
    )!;
    for (const problem of ["DAILY_BUDGET_USD", "BENCH_BARE_ROUTE", "STRIPE_API_BASE", "AUTH_SECRET"]) expect(unsafe).toContain(problem);
    // A test server on this machine is allowed only in a build made for tests (npm run build:e2e):
    // a deployed server (any other build) refuses it, whatever its environment says.
    const loopbackFakes = parseEnv({
      ...safe,
      STRIPE_API_BASE: "http://127.0.0.1:3103",
      BENCH_BARE_ROUTE: "on",
      OPENAI_BASE_URL: "http://127.0.0.1:3101/v1",
      AUTH_GITHUB_BASE_URL: "http://127.0.0.1:3110",
    });
    expect(productionProblems(loopbackFakes, true)).toBeNull();
    const deployed = productionProblems(loopbackFakes, false)!;
    for (const problem of ["BENCH_BARE_ROUTE", "STRIPE_API_BASE", "AUTH_GITHUB_BASE_URL"]) expect(deployed).toContain(problem);
    // GitHub Enterprise Server over https is a real deployment setting; plain http elsewhere is not.
    expect(productionProblems(parseEnv({ ...safe, AUTH_GITHUB_BASE_URL: "https://github.example.com" }), false)).toBeNull();
    expect(productionProblems(parseEnv({ ...safe, AUTH_GITHUB_BASE_URL: "http://github.example.com" }), true)).toContain(
      "AUTH_GITHUB_BASE_URL",
    );
    expect(productionProblems(parseEnv({ ...safe, BENCH_BARE_ROUTE: "on" }))).toContain("BENCH_BARE_ROUTE");
    expect(() => parseEnv({ DAILY_BUDGET_USD: "-1" })).toThrow(/DAILY_BUDGET_USD/);
    expect(() => parseEnv({ SMTP_URL: "http://smtp.example.com" })).toThrow(/SMTP_URL/);
  });

  it("refuses an AUTH_SECRET shorter than 32 bytes in production", () => {
    const base = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db.example.com:5432/app",
      REDIS_URL: "redis://127.0.0.1:6379",
      OPENAI_API_KEY: "key",
      TRUSTED_PROXY: "1",
      SMTP_URL: "smtp://u:p@smtp.example.com:587",
      EMAIL_FROM: "no-reply@example.com",
      DAILY_BUDGET_USD: "off",
      APP_URL: "https://app.example.com",
    };
    expect(productionProblems(parseEnv({ ...base, AUTH_SECRET: "x".repeat(31) }))).toContain("AUTH_SECRET");
    expect(productionProblems(parseEnv({ ...base, AUTH_SECRET: "x".repeat(32) }))).toBeNull();
  });

  it("accepts a complete production environment, with either kind of Redis", () => {
    const base = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db.example.com:5432/app",
      AUTH_SECRET: "x".repeat(32),
      OPENAI_API_KEY: "key",
      TRUSTED_PROXY: "vercel",
      SMTP_URL: "smtps://user:pass@smtp.example.com:465",
      EMAIL_FROM: "App <no-reply@example.com>",
      DAILY_BUDGET_USD: "50",
      APP_URL: "https://app.example.com",
    };
    expect(productionProblems(parseEnv({ ...base, REDIS_URL: "redis://127.0.0.1:6379" }))).toBeNull();
    expect(
      productionProblems(parseEnv({ ...base, UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" })),
    ).toBeNull();
    // An Upstash URL without its token is no Redis at all.
    expect(productionProblems(parseEnv({ ...base, UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }))).toContain("REDIS_URL");
  });

  it("treats empty strings as unset and rejects malformed URLs", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
    expect(() => parseEnv({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ REDIS_KEY_PREFIX: "bad prefix!" })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => parseEnv({ STRIPE_API_BASE: "127.0.0.1:12111" })).toThrow(/STRIPE_API_BASE/);
    expect(() => parseEnv({ APP_URL: "example.com" })).toThrow(/APP_URL/);
    expect(parseEnv({ STRIPE_API_BASE: " ", APP_URL: "" })).toMatchObject({ STRIPE_API_BASE: undefined, APP_URL: undefined });
  });
});
