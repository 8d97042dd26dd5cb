import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { freePort } from "../support/free-port";
import { closeDatabase } from "../support/close-database";
import { startDelayProxy } from "../support/delay-proxy";
import { onPath, requirement } from "../support/requirements";
import { startRedisServer, type RedisServer } from "../support/redis-server";
import { clearOfMinuteBoundary } from "../support/time-windows";
import { newUser } from "../support/guard-harness";
import { session, type TestUser } from "../support/session-mock";

// Redis faults on a redis-server of this file's own (never the shared one), reached through a
// TCP proxy that can stall traffic: Redis killed during a burst, then started again; every
// command stalled; only the rate limiter's scripts stalled. The app's own modules, unchanged
// and never restarted, must refuse (fail closed), call no model, leave no reservation, audit
// every request, and serve again once Redis is back. Only the session is stubbed.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

// Needs the redis-server program (CI has it); skipped, and said, where it is missing.
const enabled = requirement(
  onPath("redis-server"),
  "tests/integration/redis-faults.test.ts (Redis killed, stalled and restarted)",
  "redis-server is not on PATH (CI runs it; apt-get install redis-server to run it here)",
);

const redisPort = await freePort();
let redisServer: RedisServer | undefined;
const startRedis = async () => void (redisServer = await startRedisServer(redisPort));
const stopRedis = () => redisServer!.kill();

if (enabled) await startRedis();
const proxy = await startDelayProxy(redisPort);
const fake = await startFakeOpenAI({ wordDelayMs: 0 });
Object.assign(process.env, {
  REDIS_URL: proxy.url("redis"),
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  AUTH_SECRET: "redis-faults-test-secret",
});
vi.spyOn(console, "error").mockImplementation(() => {}); // the app logs each Redis error once

const { getDb } = await import("@/db");
const { auditLog, usageDaily } = await import("@/db/schema");
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { summarize: summarizeFeature } = await import("@/lib/tools/summarize");
const { authorizeWithPassword, UnavailableSignIn } = await import("@/lib/auth");
const { redisMode } = await import("@/lib/redis");
const { PLANS } = await import("@/lib/plans");
const { eq } = await import("drizzle-orm");

afterAll(async () => {
  await fake.close();
  await proxy.close();
  await redisServer?.kill();
  await closeDatabase(await getDb());
});

beforeEach(() => {
  proxy.delayMs = 0;
  proxy.stallWhen = null;
});

let ipCounter = 0;
const freshIp = () => `198.19.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const tag = () => `f${randomUUID().slice(0, 8)}`;

/** The structured tool's action as the browser calls it; resolves once its audit row is written. */
async function summarize(user: TestUser, text: string, token = issueRequestToken(user.id)) {
  session.user = user;
  const deferred: Promise<void>[] = [];
  const result = await summarizeFeature.run({
    raw: { token, text },
    headers: new Headers({ "x-forwarded-for": freshIp() }),
    signal: new AbortController().signal,
    defer: (task) => deferred.push(task()),
  });
  await Promise.all(deferred);
  return result;
}

async function books(userId: string) {
  const db = await getDb();
  const audits = await db.select().from(auditLog).where(eq(auditLog.userId, userId));
  const [usage] = await db.select().from(usageDaily).where(eq(usageDaily.userId, userId));
  return { outcomes: audits.map((row) => row.outcome).sort(), requests: usage?.requests ?? 0, reserved: usage?.tokensReserved ?? 0 };
}

describe.skipIf(!enabled)("the app talks to this file's Redis", () => {
  it("over TCP, through the proxy", () => {
    expect(redisMode).toBe("tcp");
    expect(process.env.REDIS_URL).toBe(proxy.url("redis"));
  });
});

describe.skipIf(!enabled)("Redis stopped during a burst, then started again (no app restart)", () => {
  it("the structured tool refuses every request with 503, calls no model, keeps no reservation, audits each; then serves again", async () => {
    const user = await newUser();
    const label = tag();
    expect(await summarize(user, `Before the outage [[tag:${label}]]`)).toMatchObject({ ok: true });

    await stopRedis();
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => summarize(user, `During the outage ${i} [[tag:${label}]]`)));
    for (const result of burst) expect(result).toMatchObject({ ok: false, error: { code: "service_unavailable" } });
    expect(fake.stats(label).chat).toBe(1);
    expect(await books(user.id)).toEqual({
      outcomes: ["served", ...Array(8).fill("service_unavailable")].sort(),
      requests: 1,
      reserved: 0,
    });

    await startRedis();
    // The same modules, never restarted: the client reconnects by itself.
    await expect
      .poll(async () => (await summarize(user, `After the outage ${randomUUID()} [[tag:${label}]]`)).ok, { timeout: 40_000, interval: 300 })
      .toBe(true);
    expect(fake.stats(label).chat).toBe(2);
  }, 90_000);

  it("sign-in refuses (fails closed) while Redis is down, for the right password too, and works again after", async () => {
    const password = "a long enough password";
    const user = await newUser({ password });
    const attempt = (ip: string) =>
      authorizeWithPassword(
        { email: user.email, password },
        new Request("http://localhost/api/auth/callback/credentials", { headers: { "x-forwarded-for": ip } }),
      );
    expect(await attempt(freshIp())).toMatchObject({ id: user.id });

    await stopRedis();
    const burst = await Promise.allSettled(Array.from({ length: 5 }, () => attempt(freshIp())));
    for (const result of burst) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableSignIn);
    }

    await startRedis();
    await expect.poll(async () => (await attempt(freshIp()).catch(() => null))?.id, { timeout: 40_000, interval: 300 }).toBe(user.id);
  }, 90_000);
});

describe.skipIf(!enabled)("slow Redis (the TCP proxy holds traffic)", () => {
  it("500 ms on every command: each request of a burst is answered for what it is, served up to the per-user limit, rate_limited after", async () => {
    // The limiter's scripts loaded first, at full speed (any user): a Redis that never saw them
    // answers EVALSHA with NOSCRIPT, and the EVAL that follows is a second 500 ms round trip
    // that ends past the limiter's 1 s deadline, which is the next test's subject.
    expect(await summarize(await newUser(), `Warm-up [[tag:${tag()}]]`)).toMatchObject({ ok: true });
    await clearOfMinuteBoundary(10_000);
    proxy.delayMs = 500;
    const user = await newUser();
    const label = tag();
    const limit = PLANS.free.requestsPerMinute;
    const burst = await Promise.all(Array.from({ length: limit + 4 }, (_, i) => summarize(user, `Slow ${i} [[tag:${label}]]`)));
    const outcomes = burst.map((result) => (result.ok ? "served" : (result as { error: { code: string } }).error.code)).sort();
    expect(outcomes).toEqual([...Array(4).fill("rate_limited"), ...Array(limit).fill("served")]);
    expect(fake.stats(label).chat).toBe(limit);
    expect(await books(user.id)).toEqual({ outcomes, requests: limit, reserved: 0 });
  });

  // The limiter's Lua scripts stall longer than its 1 s timeout (and with them whatever of the
  // guard's one Redis round trip shares their chunk; the token claim still reaches Redis, in
  // order). @upstash/ratelimit then answers success with reason "timeout": without the guard's
  // check for it (lib/guard/steps/rate-limit.ts), this request would reach the model.
  it("the rate limiter itself fails closed: the token is claimed, the limiter stalls, the request is refused with 503 and never reaches the model", async () => {
    const user = await newUser();
    const label = tag();
    const token = issueRequestToken(user.id);
    proxy.delayMs = 1_200;
    proxy.stallWhen = /EVALSHA|EVAL/i;
    const result = await summarize(user, `Limiter stalled [[tag:${label}]]`, token);
    expect(result).toMatchObject({ ok: false, error: { code: "service_unavailable" } });
    expect(fake.stats(label).chat).toBe(0);
    expect(await books(user.id)).toEqual({ outcomes: ["service_unavailable"], requests: 0, reserved: 0 });
    // The claim in the same round trip did go through: the same token again is a replay.
    proxy.delayMs = 0;
    expect(await summarize(user, `Limiter stalled [[tag:${label}]]`, token)).toMatchObject({
      ok: false,
      error: { code: "replayed_request" },
    });
  });
});
