import { expect, test } from "@playwright/test";
import { startNextServerExpectingRefusal } from "../support/next-server";

// `next start` in production with nothing configured must refuse, naming every variable.
test("production refuses to start on embedded parts or without secrets, listing every missing variable", async () => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // Unsafe settings are listed in the same message as the missing ones.
    BENCH_BARE_ROUTE: "on",
    STRIPE_API_BASE: "https://stripe-proxy.example.com",
  };
  const { exitCode, output } = await startNextServerExpectingRefusal(Number(process.env.E2E_PORT ?? "3100") + 9, env);
  expect(exitCode, output).toBe(1);
  expect(output).toContain("Refusing to start in production");
  for (const variable of [
    "DATABASE_URL",
    "REDIS_URL or UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN",
    "AUTH_SECRET",
    "OPENAI_API_KEY",
    "TRUSTED_PROXY",
    "SMTP_URL and EMAIL_FROM",
    "DAILY_BUDGET_USD",
    "APP_URL",
    "BENCH_BARE_ROUTE",
    "STRIPE_API_BASE",
  ]) {
    expect(output).toContain(variable);
  }
});
