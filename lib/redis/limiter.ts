import "server-only";
import { Ratelimit } from "@upstash/ratelimit";
import { AppError } from "@/lib/errors";
import { redis, redisKey } from "@/lib/redis";

type Duration = Parameters<typeof Ratelimit.slidingWindow>[1];
/** What a limiter sends its scripts through: the app's client, or one request's batch (lib/guard/redis-round-trip.ts). */
export type LimiterRedis = ConstructorParameters<typeof Ratelimit>[0]["redis"];

export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterSeconds: number };

// The library fails open when Redis does not answer within `timeout` (it reports success with
// reason "timeout"). Everything limited here protects money or accounts, so a slow or dead
// Redis refuses the request instead.
const REDIS_TIMEOUT_MS = 1_000;

export function createLimiter(name: string, attempts: number, window: Duration, client: LimiterRedis = redis): Ratelimit {
  return new Ratelimit({
    redis: client,
    // The in-memory block list lives as long as the limiter: none for a limiter made per request.
    ...(client !== redis && { ephemeralCache: false as const }),
    limiter: Ratelimit.slidingWindow(attempts, window),
    prefix: redisKey("ratelimit", name),
    timeout: REDIS_TIMEOUT_MS,
    analytics: false,
    enableProtection: false,
  });
}

/** Checks every (limiter, identifier) pair; refused when any is exhausted; fails closed. */
export async function checkLimits(checks: ReadonlyArray<[Ratelimit, string]>): Promise<LimitOutcome> {
  let results;
  try {
    results = await Promise.all(checks.map(([limiter, identifier]) => limiter.limit(identifier)));
  } catch (cause) {
    throw new AppError("service_unavailable", { cause });
  }
  if (results.some((result) => result.reason === "timeout")) {
    throw new AppError("service_unavailable");
  }
  const refused = results.filter((result) => !result.success);
  if (refused.length === 0) return { allowed: true };
  const resetAt = Math.max(...refused.map((result) => result.reset));
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)) };
}
