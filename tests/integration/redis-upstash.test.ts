import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import RedisMock from "ioredis-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequester, ioredisOptions } from "@/lib/redis/requester";
import { upstashRedis } from "@/lib/redis";
import { startUpstashRestServer } from "../fakes/upstash-rest-server";

// The app's Upstash mode is plain `new Redis({ url, token })`. Drive it against a local server
// speaking Upstash's REST protocol (backed by real Redis in CI, the embedded store otherwise).
const TOKEN = "test-upstash-token";
let server: Awaited<ReturnType<typeof startUpstashRestServer>>;
let tcp: IORedis | undefined;
let redis: Redis;
const prefix = `upstash-test-${randomUUID()}`;

beforeAll(async () => {
  const backend = process.env.REDIS_URL
    ? createRequester((tcp = new IORedis(process.env.REDIS_URL, ioredisOptions)), { translateEvalsha: false })
    : createRequester(new RedisMock(), { translateEvalsha: true });
  server = await startUpstashRestServer(backend, TOKEN);
  redis = new Redis({ url: server.url, token: TOKEN, enableTelemetry: false });
});

afterAll(async () => {
  if (tcp) {
    const keys = await tcp.keys(`${prefix}*`);
    if (keys.length) await tcp.del(...keys);
    tcp.disconnect();
  }
  await server.close();
});

describe("Upstash REST mode", () => {
  it("reads and writes, with nil as null and JSON values deserialized", async () => {
    await redis.set(`${prefix}:a`, { plan: "pro" });
    expect(await redis.get(`${prefix}:a`)).toEqual({ plan: "pro" });
    expect(await redis.get(`${prefix}:missing`)).toBeNull();
    expect(await redis.set(`${prefix}:nx`, "1", { nx: true, ex: 10 })).toBe("OK");
    expect(await redis.set(`${prefix}:nx`, "2", { nx: true, ex: 10 })).toBeNull();
  });

  it("runs pipelines and transactions", async () => {
    const pipeline = redis.pipeline();
    pipeline.incr(`${prefix}:n`);
    pipeline.incr(`${prefix}:n`);
    pipeline.get(`${prefix}:n`);
    expect(await pipeline.exec()).toEqual([1, 2, 2]);
    const tx = redis.multi();
    tx.set(`${prefix}:t`, "x");
    tx.get(`${prefix}:t`);
    expect(await tx.exec()).toEqual(["OK", "x"]);
  });

  it("refuses a wrong token", async () => {
    const intruder = new Redis({ url: server.url, token: "wrong", enableTelemetry: false, retry: false });
    await expect(intruder.get(`${prefix}:a`)).rejects.toThrow(/Unauthorized/);
  });

  it("runs @upstash/ratelimit unchanged: 200 concurrent calls against a limit of 10 admit exactly 10", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(10, "60 s"),
      prefix: `${prefix}:rl`,
      analytics: false,
      enableProtection: false,
      ephemeralCache: false,
      // This test is about admission, not outages: the default 5 s timeout lets every call
      // through when a loaded machine answers slowly.
      timeout: 60_000,
    });
    const results = await Promise.all(Array.from({ length: 200 }, () => limiter.limit("same-user")));
    expect(results.filter((r) => r.success)).toHaveLength(10);
  });
});

describe("Upstash REST mode with a stalled or dead endpoint (the app's client, lib/redis/index.ts)", () => {
  // Accepts the request, then never answers: what a stalled network path looks like.
  async function stalledServer(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
    let received = 0;
    const server: Server = createServer(() => void received++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      received: () => received,
      close: () => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  it("rejects every call to an endpoint that never answers, a claim (SET NX) included, instead of hanging or reading success", async () => {
    const stalled = await stalledServer();
    try {
      const redis = upstashRedis(stalled.url, TOKEN);
      await expect(redis.set(`${prefix}:claim`, "1", { nx: true, ex: 10 })).rejects.toThrow(/timeout|abort/i);
      await expect(redis.pipeline().incr(`${prefix}:p`).get(`${prefix}:p`).exec()).rejects.toThrow(/timeout|abort/i);
      expect(stalled.received()).toBe(2); // a timed-out call is not retried into a second wait
    } finally {
      await stalled.close();
    }
  });

  it("fails closed through @upstash/ratelimit: a stalled endpoint is a timeout, never a silent success", async () => {
    const stalled = await stalledServer();
    try {
      const limiter = new Ratelimit({
        redis: upstashRedis(stalled.url, TOKEN),
        limiter: Ratelimit.slidingWindow(10, "60 s"),
        prefix: `${prefix}:rl-stalled`,
        analytics: false,
        enableProtection: false,
        ephemeralCache: false,
        timeout: 1_000,
      });
      const result = await limiter.limit("user").catch((error: unknown) => error);
      // lib/redis/limiter.ts refuses on either: the library's own timeout, or the client's error.
      expect(result instanceof Error || (result as { reason?: string }).reason === "timeout").toBe(true);
    } finally {
      await stalled.close();
    }
  });

  it("rejects when nothing listens (connection refused)", async () => {
    const stalled = await stalledServer();
    const url = stalled.url;
    await stalled.close();
    await expect(upstashRedis(url, TOKEN).get(`${prefix}:dead`)).rejects.toThrow();
  });
});
