import "server-only";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import RedisMock from "ioredis-mock";
import { createRequester, ioredisOptions, REDIS_COMMAND_TIMEOUT_MS } from "@/lib/redis/requester";

// The app's one Redis client. Always an @upstash/redis `Redis`, so @upstash/ratelimit and app code
// run unchanged on Upstash REST, on plain TCP Redis (via ioredis) and on an in-process store.

export type RedisMode = "upstash" | "tcp" | "embedded";

// The only place this module reads the environment (lib/env.ts validates the same variables).
// Blank values count as unset, as in lib/env.ts.
function readRedisEnv() {
  const read = (name: string) => process.env[name]?.trim() || undefined;
  return {
    upstashUrl: read("UPSTASH_REDIS_REST_URL"),
    upstashToken: read("UPSTASH_REDIS_REST_TOKEN"),
    redisUrl: read("REDIS_URL"),
    keyPrefix: read("REDIS_KEY_PREFIX") ?? "app",
  };
}

/**
 * Upstash REST with a deadline on every call, as ioredis has on TCP (REDIS_COMMAND_TIMEOUT_MS):
 * without one a stalled REST endpoint hangs the request. The signal must be a function (a fresh
 * timer per call): with a fixed, already-aborted signal the client answers "Aborted" as if it
 * were the command's result, which a `SET NX` would read as success. One retry on a network
 * error instead of five with back-off (about 4 s), so a dead endpoint fails the request fast.
 */
export function upstashRedis(url: string, token: string): Redis {
  return new Redis({
    url,
    token,
    automaticDeserialization: true,
    enableTelemetry: false,
    signal: () => AbortSignal.timeout(REDIS_COMMAND_TIMEOUT_MS),
    retry: { retries: 1, backoff: () => 50 },
  });
}

function createRedis(env: ReturnType<typeof readRedisEnv>): { redis: Redis; mode: RedisMode } {
  if (env.upstashUrl && env.upstashToken) return { mode: "upstash", redis: upstashRedis(env.upstashUrl, env.upstashToken) };
  if (env.redisUrl) {
    const client = new IORedis(env.redisUrl, ioredisOptions);
    // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
    // Log each distinct error once; failing commands reject on their own.
    let lastError = "";
    client.on("error", (error: Error) => {
      if (error.message !== lastError) console.error(`[redis] ${error.message}`);
      lastError = error.message;
    });
    client.on("ready", () => (lastError = ""));
    return { mode: "tcp", redis: new Redis(createRequester(client, { translateEvalsha: false })) };
  }
  // In-process and in-memory: data is per process and lost on restart (development and tests).
  return { mode: "embedded", redis: new Redis(createRequester(new RedisMock(), { translateEvalsha: true })) };
}

// Cached on globalThis so Next's dev hot reload reuses the connection instead of opening more.
const globalForRedis = globalThis as typeof globalThis & { __appRedis?: { redis: Redis; mode: RedisMode } };
const instance = (globalForRedis.__appRedis ??= createRedis(readRedisEnv()));

export const redis: Redis = instance.redis;
export const redisMode: RedisMode = instance.mode;

/** Every key the app writes: `<REDIS_KEY_PREFIX or "app">:<parts…>`, so test runs never share keys. */
export function redisKey(...parts: string[]): string {
  return [readRedisEnv().keyPrefix, ...parts].join(":");
}
