import "server-only";
import type { Ratelimit } from "@upstash/ratelimit";
import { errors, type Redis } from "@upstash/redis";
import { AppError } from "@/lib/errors";
import { AI_PER_IP_LIMIT, PLANS } from "@/lib/plans";
import { createLimiter, type LimiterRedis } from "@/lib/redis/limiter";
import { redis } from "@/lib/redis";

// The guard's Redis work, all of it, in one round trip: claim the one-time token (SET NX EX),
// both rate-limit windows (@upstash/ratelimit's sliding-window script, per user and per IP)
// and the exact cache read (MGET). It runs in parallel with the account statement, so it
// cannot know the user's plan, on which the per-user limit and the cache key depend:
//
// - The per-user window is counted under the HIGHEST plan's limit, and decided with the
//   user's own plan once both branches are back (`userWindowAdmits`). The script only counts
//   a request it admits, so under the highest limit it counts every request of a user below
//   it, refused ones included: a user who keeps hammering past their plan's limit waits longer
//   for the window to drain, which is the point of a limit; nobody gets more than their plan.
//   (The alternative, one window per plan read with the plan from a cache, would let a
//   downgraded user spend the old plan's limit.)
// - The cache keys of every plan (there are two) are read with one MGET, and the lookup step
//   keeps the one for the user's plan. A second key costs a few bytes in the same round trip.

type Reply = { result?: unknown; error?: string };
/** One window's answer from @upstash/ratelimit. */
export type WindowResult = Awaited<ReturnType<Ratelimit["limit"]>>;
type Pipeline = ReturnType<Redis["pipeline"]>;

/**
 * Redis commands queued while a request's work is issued, then sent as ONE pipeline by `send`.
 * @upstash/redis's own auto-pipelining would send reads and writes as two pipelines, so the
 * guard batches itself. A command issued after `send` (the limiter's EVAL after a NOSCRIPT:
 * once per script and Redis server) goes out alone, with its own round trip.
 */
class RoundTrip {
  private readonly pipeline: Pipeline;
  private readonly waiting: Array<(reply: Reply) => void> = [];
  private sent = false;

  constructor(private readonly client: Redis) {
    this.pipeline = client.pipeline();
  }

  private queue<T>(add: (pipeline: Pipeline) => unknown, alone: () => Promise<T>): Promise<T> {
    if (this.sent) return alone();
    add(this.pipeline);
    return new Promise<T>((resolve, reject) =>
      // Redis's error text goes through unchanged (the limiter looks for "NOSCRIPT").
      this.waiting.push((reply) =>
        reply.error !== undefined && reply.error !== null ? reject(new errors.UpstashError(reply.error)) : resolve(reply.result as T),
      ),
    );
  }

  // What the limiter calls (its analytics and deny list are off, so nothing else).
  evalsha = <TArgs extends unknown[], TData = unknown>(sha: string, keys: string[], args: TArgs) =>
    this.queue<TData>(
      (p) => p.evalsha(sha, keys, args),
      () => this.client.evalsha<TArgs, TData>(sha, keys, args),
    );
  eval = <TArgs extends unknown[], TData = unknown>(script: string, keys: string[], args: TArgs) =>
    this.queue<TData>(
      (p) => p.eval(script, keys, args),
      () => this.client.eval<TArgs, TData>(script, keys, args),
    );

  /** Resolves null when the key was already taken. */
  claim(key: string, ttlSeconds: number): Promise<unknown> {
    return this.queue(
      (p) => p.set(key, "1", { nx: true, ex: ttlSeconds }),
      () => this.client.set(key, "1", { nx: true, ex: ttlSeconds }),
    );
  }

  mget<T>(keys: string[]): Promise<Array<T | null>> {
    return this.queue(
      (p) => p.mget(...keys),
      () => this.client.mget<Array<T | null>>(...keys),
    );
  }

  /** Sends what was queued; each command's promise settles with its own reply. */
  async send(): Promise<void> {
    this.sent = true;
    let replies: Reply[];
    try {
      replies = await this.pipeline.exec({ keepErrors: true });
    } catch (error) {
      const failed = { error: error instanceof Error ? error.message : String(error) };
      for (const settle of this.waiting) settle(failed);
      return;
    }
    this.waiting.forEach((settle, i) => settle(replies[i] ?? { error: "ERR no reply" }));
  }
}

/** The per-user window's limit: the highest plan's (see above). */
export const USER_WINDOW_LIMIT = Math.max(...Object.values(PLANS).map((plan) => plan.requestsPerMinute));

export type RedisRound = {
  /** The token's nonce was free and is now taken; false: a replay. */
  claimed: boolean;
  /** The per-user window under USER_WINDOW_LIMIT, and the per-IP window. */
  windows: { user: WindowResult; ip: WindowResult };
  /** The cached answers found, by cache key. */
  cached: Map<string, string>;
};

/** The one Redis round trip. Redis down (or a limiter error) → 503: fail closed. */
export async function redisRoundTrip(options: {
  nonceKey: string;
  ttlSeconds: number;
  userId: string;
  /** Null: per-IP limits are off (TRUSTED_PROXY=none). */
  ip: string | null;
  cacheKeys: string[];
}): Promise<RedisRound> {
  const trip = new RoundTrip(redis);
  // Limiters made per request over this request's batch (a Ratelimit object is cheap; its
  // scripts are the library's own, unchanged).
  const client = trip as unknown as LimiterRedis; // the limiter calls only evalsha and eval
  const claim = trip.claim(options.nonceKey, options.ttlSeconds);
  const user = createLimiter("ai-user", USER_WINDOW_LIMIT, "1 m", client).limit(options.userId);
  const ip =
    options.ip === null
      ? Promise.resolve(OPEN_WINDOW)
      : createLimiter("ai-ip", AI_PER_IP_LIMIT.attempts, AI_PER_IP_LIMIT.window, client).limit(options.ip);
  const cache = options.cacheKeys.length > 0 ? readCache(trip, options.cacheKeys) : Promise.resolve(new Map<string, string>());
  void trip.send();
  try {
    const [claimed, userWindow, ipWindow, cached] = await Promise.all([claim, user, ip, cache]);
    return { claimed: claimed !== null, windows: { user: userWindow, ip: ipWindow }, cached };
  } catch (cause) {
    throw new AppError("service_unavailable", { cause }); // no proof of first use, no limit: refuse
  }
}

/** The per-IP window when per-IP limits are off: always open, counts nothing. */
const OPEN_WINDOW: WindowResult = {
  success: true,
  limit: AI_PER_IP_LIMIT.attempts,
  remaining: AI_PER_IP_LIMIT.attempts,
  reset: 0,
  pending: Promise.resolve(),
};

/**
 * Gives back what the round trip's windows counted (either or both: null skips one): for a
 * request that failed on the service's side (Postgres down), so an outage does not use up the
 * users' rate limits, and, the IP's count only, for an account refused for what it is (blocked,
 * unverified, deleted), so such accounts cannot fill the window of everyone behind their IP.
 * The library's refund (a negative rate) decrements the current bucket; run after the response.
 */
export async function refundWindows(userId: string | null, ip: string | null, windows: RedisRound["windows"]): Promise<void> {
  const refunds = [
    ...(userId !== null && windows.user.success && windows.user.reason === undefined
      ? [createLimiter("ai-user", USER_WINDOW_LIMIT, "1 m").limit(userId, { rate: -1 })]
      : []),
    ...(ip !== null && windows.ip !== OPEN_WINDOW && windows.ip.success && windows.ip.reason === undefined
      ? [createLimiter("ai-ip", AI_PER_IP_LIMIT.attempts, AI_PER_IP_LIMIT.window).limit(ip, { rate: -1 })]
      : []),
  ];
  await Promise.all(refunds);
}

async function readCache(trip: RoundTrip, keys: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  try {
    const values = await trip.mget<{ answer?: unknown }>(keys);
    values.forEach((value, i) => {
      if (typeof value?.answer === "string") found.set(keys[i]!, value.answer);
    });
  } catch (error) {
    // A cache that cannot answer is a miss: the request is still rate limited and reserved.
    console.error("[guard] cache lookup failed", error);
  }
  return found;
}
