import { readFileSync } from "node:fs";
import { expect, test, type Browser, type BrowserContextOptions } from "@playwright/test";
import { signUp } from "./helpers";

// The page-weight budgets (scripts/page-weight-budgets.json) as a browser sees them: every
// script a budgeted page downloads on a first visit (empty cache) until the network is idle, in
// bytes on the wire (gzip, as `next start` serves them). `npm run check:page-weight` counts what
// the build lists for hydration; this adds what a page loads right after it (the signed-in user
// menu). A page that sends a visitor to /login is measured signed in.

const budgets = (JSON.parse(readFileSync("scripts/page-weight-budgets.json", "utf8")) as { kilobytesGzip: Record<string, number> })
  .kilobytesGzip;

async function firstLoadScripts(browser: Browser, path: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const sizes: Array<Promise<number>> = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "script")
      sizes.push(
        response
          .request()
          .sizes()
          .then((s) => s.responseBodySize),
      );
  });
  await page.goto(path, { waitUntil: "networkidle" });
  const landedOn = new URL(page.url()).pathname;
  const bytes = (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
  await context.close();
  return { landedOn, bytes, scripts: sizes.length };
}

test("every budgeted page loads no more JavaScript than its budget, in Chromium", async ({ browser }) => {
  test.skip(
    process.env.E2E_REDIS === "upstash",
    "the pages' JavaScript does not depend on how the server reaches Redis: measured in CI's first pass",
  );
  const signedIn = await browser.newContext();
  await signUp(await signedIn.newPage());
  const storageState = await signedIn.storageState();
  await signedIn.close();

  const measured: Record<string, { kilobytes: number; budget: number; scripts: number; signedIn: boolean }> = {};
  for (const [path, budget] of Object.entries(budgets)) {
    let result = await firstLoadScripts(browser, path);
    const needsSession = result.landedOn !== path;
    if (needsSession) result = await firstLoadScripts(browser, path, { storageState });
    expect(result.landedOn, `${path} redirected even when signed in`).toBe(path);
    measured[path] = { kilobytes: Math.round(result.bytes / 102.4) / 10, budget, scripts: result.scripts, signedIn: needsSession };
  }
  console.log(`First-load JavaScript in Chromium (KB gzip):\n${JSON.stringify(measured, null, 2)}`);
  for (const [path, { kilobytes, budget, scripts }] of Object.entries(measured)) {
    expect(scripts, `${path} loaded no script at all: nothing was measured`).toBeGreaterThan(0);
    expect(kilobytes, `${path}: ${kilobytes} KB of JavaScript, over its budget of ${budget} KB`).toBeLessThanOrEqual(budget);
  }
});
