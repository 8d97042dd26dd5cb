import { createHash, randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis, errors } from "@upstash/redis";
import IORedis from "ioredis";
import RedisMock from "ioredis-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequester, ioredisOptions, type IORedisLike } from "@/lib/redis/requester";

// The same @upstash/redis client contract, checked against every backend lib/redis/index.ts can use
// except Upstash itself: ioredis-mock always, real Redis when REDIS_URL is set.

const runPrefix = `${process.env.REDIS_KEY_PREFIX ?? "test"}:redis-test:${randomUUID()}`;
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

type Backend = {
  name: string;
  enabled: boolean;
  connect: () => IORedisLike & { quit?: () => Promise<unknown> };
  translateEvalsha: boolean;
  real: boolean;
};

const backends: Backend[] = [
  { name: "ioredis-mock", enabled: true, connect: () => new RedisMock(), translateEvalsha: true, real: false },
  {
    name: "real Redis (REDIS_URL)",
    enabled: Boolean(process.env.REDIS_URL),
    connect: () => new IORedis(process.env.REDIS_URL ?? "", ioredisOptions),
    translateEvalsha: false,
    real: true,
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(backend.name, () => {
    const prefix = `${runPrefix}:${backend.real ? "tcp" : "mock"}`;
    const key = (name: string) => `${prefix}:${name}`;
    let client: ReturnType<Backend["connect"]>;
    let redis: Redis;
    // A fresh requester has an empty script map, like a freshly started server process.
    const freshRedis = () => new Redis(createRequester(client, { translateEvalsha: backend.translateEvalsha }));

    beforeAll(() => {
      client = backend.connect();
      redis = freshRedis();
    });

    afterAll(async () => {
      if (!backend.real) return;
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, { match: `${prefix}:*`, count: 500 });
        if (keys.length > 0) await redis.del(...keys);
        cursor = String(next);
      } while (cursor !== "0");
      await client.quit?.();
    });

    it("set, get and del", async () => {
      expect(await redis.set(key("a"), "hello")).toBe("OK");
      expect(await redis.get(key("a"))).toBe("hello");
      expect(await redis.del(key("a"))).toBe(1);
      expect(await redis.get(key("a"))).toBeNull();
    });

    it("answers null, never undefined, for a missing key", async () => {
      const value = await redis.get(key("missing"));
      expect(value).toBeNull();
      expect(await redis.hget(key("missing-hash"), "field")).toBeNull();
    });

    it("incr", async () => {
      expect(await redis.incr(key("counter"))).toBe(1);
      expect(await redis.incr(key("counter"))).toBe(2);
      expect(await redis.incrby(key("counter"), 5)).toBe(7);
    });

    it("set with nx and ex only succeeds once and sets a TTL", async () => {
      expect(await redis.set(key("once"), "first", { nx: true, ex: 10 })).toBe("OK");
      expect(await redis.set(key("once"), "second", { nx: true, ex: 10 })).toBeNull();
      expect(await redis.get(key("once"))).toBe("first");
      const ttl = await redis.ttl(key("once"));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10);
    });

    it("hgetall answers an object, with numeric-looking fields too", async () => {
      await redis.hset(key("hash"), { name: "ada", "2": "two" });
      expect(await redis.hgetall(key("hash"))).toEqual({ name: "ada", "2": "two" });
    });

    it("runs a pipeline of 3 commands", async () => {
      const results = await redis.pipeline().set(key("p"), "x").incr(key("p-count")).get(key("p")).exec();
      expect(results).toEqual(["OK", 1, "x"]);
    });

    it("reports a failing command inside a pipeline", async () => {
      await redis.set(key("p-string"), "text");
      const pipeline = () => redis.pipeline().set(key("p-other"), "1").rpush(key("p-string"), "x");
      await expect(pipeline().exec()).rejects.toThrow(
        "Command 2 [ rpush ] failed: WRONGTYPE Operation against a key holding the wrong kind of value",
      );
      const kept = await pipeline().exec({ keepErrors: true });
      expect(kept[0]).toEqual({ error: undefined, result: "OK" });
      expect(kept[1]?.error).toContain("WRONGTYPE");
    });

    it("runs a multi() transaction", async () => {
      const results = await redis.multi().set(key("tx"), "1").incr(key("tx")).get(key("tx")).exec();
      expect(results).toEqual(["OK", 2, 2]); // GET "2" is deserialized to a number by default
    });

    it("keeps the other commands of a transaction when one fails at run time", async () => {
      await redis.set(key("tx-string"), "text");
      const results = await redis.multi().set(key("tx-a"), "a").rpush(key("tx-string"), "x").get(key("tx-a")).exec({ keepErrors: true });
      expect(results[0]?.result).toBe("OK");
      expect(results[1]?.error).toContain("WRONGTYPE");
      expect(results[2]?.result).toBe("a");
    });

    it("passes a Redis error text through unchanged", async () => {
      await redis.set(key("wrongtype"), "text");
      const failing = redis.rpush(key("wrongtype"), "x");
      await expect(failing).rejects.toBeInstanceOf(errors.UpstashError);
      await expect(redis.rpush(key("wrongtype"), "x")).rejects.toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
    });

    it("passes INCR on a non-number through as Redis's error", async () => {
      // ioredis-mock itself answers NaN here (and overwrites the value with "NaN"); the requester
      // turns that NaN into Redis's error so a counter can never fail open.
      await redis.set(key("not-a-number"), "abc");
      await expect(redis.incr(key("not-a-number"))).rejects.toThrow("ERR value is not an integer or out of range");
    });

    describe("Lua scripts with a shebang", () => {
      // Unique per run so Redis's own script cache cannot make a test pass by accident.
      const script = [
        "#!lua flags=allow-key-locking",
        `-- ${prefix}`,
        "redis.call('SET', KEYS[1], ARGV[1])",
        "return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), 7}",
      ].join("\n");
      const sha = sha1(script);

      it("EVAL runs it and maps nil to null", async () => {
        expect(await redis.eval(script, [key("lua-a"), key("lua-none")], ["hello"])).toEqual(["hello", null, 7]);
      });

      it("EVALSHA of the original sha works after EVAL", async () => {
        const r = freshRedis();
        await expect(r.evalsha(sha, [key("lua-b"), key("lua-none")], ["one"])).rejects.toThrow("NOSCRIPT");
        await r.eval(script, [key("lua-b"), key("lua-none")], ["one"]);
        expect(await r.evalsha(sha, [key("lua-b"), key("lua-none")], ["two"])).toEqual(["two", null, 7]);
      });

      it("SCRIPT LOAD answers the original sha, which EVALSHA then accepts", async () => {
        const r = freshRedis();
        expect(await r.scriptLoad(script)).toBe(sha);
        expect(await r.evalsha(sha, [key("lua-c"), key("lua-none")], ["three"])).toEqual(["three", null, 7]);
      });

      it("EVALSHA inside a pipeline is translated too", async () => {
        const r = freshRedis();
        await r.scriptLoad(script);
        const results = await r
          .pipeline()
          .evalsha(sha, [key("lua-d"), key("lua-none")], ["four"])
          .get(key("lua-d"))
          .exec();
        expect(results).toEqual([["four", null, 7], "four"]);
      });
    });

    describe("@upstash/ratelimit", () => {
      const admitted = async (limiter: ReturnType<typeof Ratelimit.slidingWindow>) => {
        const ratelimit = new Ratelimit({
          redis,
          limiter,
          prefix: `${prefix}:rl:${randomUUID()}`,
          analytics: false,
          enableProtection: false,
          ephemeralCache: false, // every call must reach Redis: this tests the store, not the cache
        });
        const results = await Promise.all(Array.from({ length: 200 }, () => ratelimit.limit("same-user")));
        expect(results.filter((result) => result.reason === "timeout")).toEqual([]);
        return results.filter((result) => result.success).length;
      };

      it("sliding window admits exactly 10 of 200 concurrent calls", async () => {
        expect(await admitted(Ratelimit.slidingWindow(10, "60 s"))).toBe(10);
      });

      it("fixed window admits exactly 10 of 200 concurrent calls", async () => {
        expect(await admitted(Ratelimit.fixedWindow(10, "60 s"))).toBe(10);
      });

      // ioredis-mock cannot run the token bucket script (nil HMGET field), so real Redis only.
      it.runIf(backend.real)("token bucket admits exactly 10 of 200 concurrent calls", async () => {
        expect(await admitted(Ratelimit.tokenBucket(1, "60 s", 10))).toBe(10);
      });
    });
  });
}

describe("a dead Redis", () => {
  it("makes a command reject instead of hanging", async () => {
    const client = new IORedis("redis://127.0.0.1:1", ioredisOptions);
    client.on("error", () => {}); // connection refused on every retry; the command is what we check
    try {
      const redis = new Redis(createRequester(client, { translateEvalsha: false }));
      await expect(redis.get(`${runPrefix}:dead`)).rejects.toThrow();
    } finally {
      client.disconnect();
    }
  });
});

describe("lib/redis", () => {
  it("picks its mode from the environment and prefixes keys", async () => {
    const { redis, redisMode, redisKey } = await import("@/lib/redis");
    const env = process.env;
    const expected = env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN ? "upstash" : env.REDIS_URL ? "tcp" : "embedded";
    expect(redisMode).toBe(expected);
    expect(redisKey("a", "b")).toBe(`${env.REDIS_KEY_PREFIX || "app"}:a:b`);
    const key = redisKey("redis-test", randomUUID());
    expect(await redis.set(key, "v", { ex: 60 })).toBe("OK");
    expect(await redis.get(key)).toBe("v");
    expect(await redis.del(key)).toBe(1);
  });
});
