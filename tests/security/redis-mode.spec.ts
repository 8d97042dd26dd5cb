import { expect, test } from "@playwright/test";
import { upstashRestPort } from "../e2e/database";

// CI runs the browser and attack tests twice: on TCP Redis, and with E2E_REDIS=upstash, where
// the server under test has no REDIS_URL and reaches Redis only through the Upstash REST
// protocol (as on Vercel). This proves the second pass really went through REST.
test("with E2E_REDIS=upstash, the app's Redis traffic goes through the Upstash REST front", async ({ request }) => {
  test.skip(process.env.E2E_REDIS !== "upstash", "TCP pass");
  const restCommands = async () =>
    ((await (await fetch(`http://127.0.0.1:${upstashRestPort()}/__control/stats`)).json()) as { requests: number }).requests;
  const before = await restCommands();
  const health = await request.get("/api/health");
  expect(await health.json()).toEqual({ ok: true, database: true, redis: true });
  expect(await restCommands()).toBeGreaterThan(before);
});
