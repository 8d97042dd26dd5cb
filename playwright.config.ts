import { defineConfig } from "@playwright/test";
import { runDatabaseName } from "./tests/support/test-database";

// Browser and HTTP tests against the production build (`npm run build:e2e` first). Chromium
// comes from Debian (/usr/bin/chromium): Playwright downloads no browser here.
const port = process.env.E2E_PORT ?? "3100";
// One database per run, named here so the server (tests/e2e/start-server.ts) and the tests
// (which inspect rows) agree; worker processes inherit it through the environment.
process.env.E2E_DATABASE_NAME ??= runDatabaseName("e2e");
// The fake Stripe runs inside the web server process (tests/e2e/start-server.ts); tests drive it
// over HTTP on this port.
process.env.E2E_FAKE_STRIPE_PORT ??= String(Number(port) + 3);
// Auth.js builds its URLs with localhost; cookies set there are not sent to 127.0.0.1.
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "tests",
  testMatch: ["e2e/**/*.spec.ts", "security/**/*.spec.ts"],
  outputDir: "test-results/playwright",
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  // A log-in verifies an argon2id hash: on a loaded 2-core machine the redirect after it took
  // more than the default 5 s (seen in auth.spec).
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "test-results/playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "npx tsx tests/e2e/start-server.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: "pipe",
    env: { E2E_PORT: port, E2E_DATABASE_NAME: process.env.E2E_DATABASE_NAME, E2E_FAKE_STRIPE_PORT: process.env.E2E_FAKE_STRIPE_PORT },
  },
});
