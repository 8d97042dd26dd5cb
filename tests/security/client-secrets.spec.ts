import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signUp } from "../e2e/helpers";
import { SENTINEL_BUILD_STAMP, SENTINELS } from "../support/sentinels";

// The build under test was made and is served with a sentinel in every server secret
// (tests/e2e/build.ts, tests/e2e/start-server.ts). None may reach a browser.

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function leakedSentinels(text: string): string[] {
  return Object.entries(SENTINELS)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

test("the build under test really was made with every sentinel (otherwise the scan proves nothing)", () => {
  const stamp = JSON.parse(readFileSync(SENTINEL_BUILD_STAMP, "utf8")) as { buildId: string; sentinels: Record<string, string> };
  expect(stamp.buildId).toBe(readFileSync(".next/BUILD_ID", "utf8").trim()); // this build, not an older one
  expect(stamp.sentinels).toEqual(SENTINELS);
  // And the scanner finds a sentinel where there is one.
  expect(leakedSentinels(`x${SENTINELS.OPENAI_API_KEY}x`)).toEqual(["OPENAI_API_KEY"]);
});

test("no server secret appears in any file under .next/static", () => {
  const files = filesUnder(".next/static");
  expect(files.length).toBeGreaterThan(10);
  const leaks = files.flatMap((file) => leakedSentinels(readFileSync(file, "latin1")).map((name) => `${name} in ${file}`));
  expect(leaks).toEqual([]);
});

test("no server secret appears in HTML or RSC payloads sent to a browser, logged out or in", async ({ page }) => {
  const pending: Promise<string>[] = [];
  page.on("response", (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (!/html|text\/x-component|javascript|json/.test(type)) return;
    // A prefetch the router aborts never yields its body: do not wait on it forever.
    const abandoned = new Promise<string>((resolve) => setTimeout(() => resolve(""), 5_000));
    pending.push(Promise.race([response.text().catch(() => ""), abandoned]));
  });
  for (const path of ["/", "/login", "/signup", "/pricing"]) await page.goto(path);
  await signUp(page);
  for (const path of ["/pricing", "/account"]) await page.goto(path);
  await expect(page.getByTestId("account-email")).toBeVisible();
  const bodies = await Promise.all(pending);
  expect(bodies.length).toBeGreaterThan(5);
  expect(bodies.flatMap(leakedSentinels)).toEqual([]);
});
