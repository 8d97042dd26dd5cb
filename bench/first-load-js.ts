// Measures the JavaScript a browser downloads on first load of each page (gzip bytes on the
// wire, as served by `next start`), logged out and logged in. Prints a table and writes
// bench/results/first-load-js.json. Usage: BASE_URL=http://localhost:3100 npx tsx bench/first-load-js.ts
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium, type Page } from "@playwright/test";

const baseURL = process.env.BASE_URL ?? "http://localhost:3100";
const LOGGED_OUT = ["/", "/login", "/signup", "/pricing"];
const LOGGED_IN = ["/account", ...(process.env.EXTRA_PAGES?.split(",").filter(Boolean) ?? [])];

async function javascriptBytes(page: Page, path: string): Promise<number> {
  const sizes: Promise<number>[] = [];
  const onResponse = (response: import("@playwright/test").Response) => {
    if (response.request().resourceType() === "script") {
      sizes.push(
        response
          .request()
          .sizes()
          .then((s) => s.responseBodySize),
      );
    }
  };
  page.on("response", onResponse);
  await page.goto(path, { waitUntil: "load" });
  await page.waitForTimeout(1_000); // let hydration-time chunk loads finish
  page.off("response", onResponse);
  return (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
}

const browser = await chromium.launch({
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
});
const results: Record<string, number> = {};
// A fresh context per page: nothing cached, so each figure is a true first load.
for (const path of LOGGED_OUT) {
  const context = await browser.newContext({ baseURL });
  results[path] = await javascriptBytes(await context.newPage(), path);
  await context.close();
}
const context = await browser.newContext({ baseURL });
const page = await context.newPage();
await page.goto("/signup");
await page.getByLabel("Email").fill(`bench-${randomUUID()}@example.com`);
await page.getByLabel("Password").fill("a long enough password");
await page.getByRole("button", { name: "Create account" }).click();
await page.waitForURL(/\/chat$/);
for (const path of LOGGED_IN) {
  const fresh = await browser.newContext({ baseURL, storageState: await context.storageState() });
  results[path] = await javascriptBytes(await fresh.newPage(), path);
  await fresh.close();
}
await browser.close();

for (const [path, bytes] of Object.entries(results)) console.log(`${path.padEnd(12)} ${(bytes / 1024).toFixed(1)} KB gzip JS`);
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/first-load-js.json",
  `${JSON.stringify({ measuredAt: new Date().toISOString(), baseURL, kilobytesGzip: Object.fromEntries(Object.entries(results).map(([p, b]) => [p, Math.round(b / 102.4) / 10])) }, null, 2)}\n`,
);
