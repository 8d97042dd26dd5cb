import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

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
  const child = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(Number(process.env.E2E_PORT ?? "3100") + 9)], { env });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 30_000);
    child.on("exit", (code: number | null) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
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
