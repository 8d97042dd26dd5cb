// Recognisable fake values for every server secret. The production build in CI is made and
// served with these, and tests/security fails if any of them reaches the browser.
export const SENTINELS = {
  AUTH_SECRET: "sentinel-auth-secret-7d1c0e5a9b4f",
  OPENAI_API_KEY: "sentinel-openai-key-3f9a2b7c1d6e",
  STRIPE_SECRET_KEY: "sentinel-stripe-secret-8e4d6a0f2c1b",
  STRIPE_WEBHOOK_SECRET: "sentinel-stripe-webhook-5b3c9d1e7a0c",
  UPSTASH_REDIS_REST_TOKEN: "sentinel-upstash-token-2a8f4c6e0b9d",
  DATABASE_PASSWORD: "sentinel-db-password-9c7e1a3b5d2f",
  CRON_SECRET: "sentinel-cron-secret-4e8b2d6f0a1c",
  SMTP_PASSWORD: "sentinel-smtp-password-4e2a8c0b6d1f",
  AUTH_GITHUB_SECRET: "sentinel-github-secret-6c0d2e8a4f1b",
} as const;

export const E2E_ADMIN_EMAILS = [1, 2, 3, 4, 5].map((n) => `e2e-admin-${n}@example.com`);

/** The fake SMTP server (tests/fakes/smtp-server.ts) of a browser-test run: E2E_PORT+7, its mailbox on +8 (+6 would be MySQL's 3306 for E2E_PORT 3300). */
export const fakeSmtpPorts = () => {
  const appPort = Number(process.env.E2E_PORT ?? "3100");
  return { smtp: appPort + 7, control: appPort + 8 };
};
/** Written by tests/e2e/build.ts next to the build it made: { buildId, sentinels }. */
export const SENTINEL_BUILD_STAMP = ".next/e2e-sentinel-build.json";

/** DATABASE_URL with the sentinel password (PostgreSQL's trust auth here ignores it). */
export function databaseUrlWithSentinel(url: string): string {
  const withPassword = new URL(url);
  withPassword.password = SENTINELS.DATABASE_PASSWORD;
  return withPassword.toString();
}

/**
 * The server environment for the production build and for `next start` in browser tests.
 * `stripeApiBase` points the app's Stripe SDK at the fake Stripe (tests/fakes/stripe-server.ts).
 */
export function productionServerEnv(
  databaseUrl: string,
  {
    stripeApiBase,
    githubBaseUrl,
    appUrl = `http://localhost:${process.env.E2E_PORT ?? "3100"}`,
  }: { stripeApiBase?: string; githubBaseUrl?: string; appUrl?: string } = {},
): Record<string, string> {
  return {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // Emailed links and Stripe's return URLs: the server the tests browse (Auth.js uses localhost).
    APP_URL: appUrl,
    DATABASE_URL: databaseUrlWithSentinel(databaseUrl),
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    // Set but not used: Upstash needs its URL too, and REDIS_URL serves here.
    UPSTASH_REDIS_REST_TOKEN: SENTINELS.UPSTASH_REDIS_REST_TOKEN,
    AUTH_SECRET: SENTINELS.AUTH_SECRET,
    OPENAI_API_KEY: SENTINELS.OPENAI_API_KEY,
    SMTP_URL: `smtp://fake-smtp-user:${SENTINELS.SMTP_PASSWORD}@127.0.0.1:${fakeSmtpPorts().smtp}`,
    EMAIL_FROM: "AI SaaS Starter <no-reply@example.com>",
    // Admin only once proven (lib/auth/roles.ts): tests sign up with these and open the emailed link.
    ADMIN_EMAILS: E2E_ADMIN_EMAILS.join(","),
    DAILY_BUDGET_USD: "1000",
    // Browser tests stand in for one proxy: each test's client sets its own X-Forwarded-For.
    TRUSTED_PROXY: "1",
    STRIPE_SECRET_KEY: SENTINELS.STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: SENTINELS.STRIPE_WEBHOOK_SECRET,
    CRON_SECRET: SENTINELS.CRON_SECRET,
    ...(stripeApiBase && { STRIPE_API_BASE: stripeApiBase }),
    // GitHub sign-in against the fake GitHub (tests/fakes/github-server.ts).
    ...(githubBaseUrl && {
      AUTH_GITHUB_ID: "fake-github-client-id",
      AUTH_GITHUB_SECRET: SENTINELS.AUTH_GITHUB_SECRET,
      AUTH_GITHUB_BASE_URL: githubBaseUrl,
    }),
  };
}

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
