import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { chat, freshIp, message, newUser, tag } from "../support/guard-harness";
import { session } from "../support/session-mock";
import { instrumentRoundTrips, sequentialDepth, type RoundTrip } from "../support/round-trips";

// Issue 12: the guard's round trips, counted at the clients' edge (every Postgres statement the
// driver sends, every request the Redis client makes: a pipeline is one) with their start and
// end, against when the fake OpenAI received the model call. Embedded (PGlite, in-process
// Redis) and, with DATABASE_URL / REDIS_URL, on real PostgreSQL and Redis.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());
// The account statement can be made to fail, as when PostgreSQL is down (the real outage is
// tests/integration/postgres-stopped.test.ts, real services only).
const outage = vi.hoisted(() => ({ postgresDown: false }));
vi.mock("@/lib/guard/account", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/guard/account")>();
  return {
    ...actual,
    readAccount: (...args: Parameters<typeof actual.readAccount>) =>
      outage.postgresDown ? Promise.reject(new Error("connect ECONNREFUSED")) : actual.readAccount(...args),
  };
});

const fake = await startFakeOpenAI({ wordDelayMs: 0 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "round-trips-test-secret" });

const { getDb } = await import("@/db");
const db = await getDb();
const { redis } = await import("@/lib/redis");
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { summarize } = await import("@/lib/tools/summarize");
const { GUARD_STEPS } = await import("@/lib/guard");
const { auditLog } = await import("@/db/schema");
const { eq } = await import("drizzle-orm");
const recorder = instrumentRoundTrips(db, redis);

afterAll(async () => {
  await fake.close();
  await closeDatabase(db);
});

const show = (trips: RoundTrip[]) => trips.map((trip) => `${trip.store} ${trip.what}`).join("\n");

/** The structured tool as the browser calls it; `answeredAt` is when the action returned (its audit row comes after). */
async function summarizeTimed(user: Awaited<ReturnType<typeof newUser>>, text: string, ip = freshIp()) {
  session.user = user;
  // As Next's after(): the deferred work (the audit row) starts once the answer is out.
  const deferred: Array<() => Promise<void>> = [];
  const result = await summarize.run({
    raw: { token: issueRequestToken(user.id), text },
    headers: new Headers({ "x-forwarded-for": ip }),
    signal: new AbortController().signal,
    defer: (task) => deferred.push(task),
  });
  const answeredAt = performance.now();
  await Promise.all(deferred.map((task) => task()));
  return { result, answeredAt };
}

describe(`round trips before the model call (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}, ${process.env.REDIS_URL ? "Redis" : "embedded Redis"})`, () => {
  it("a served chat in an existing conversation: at most 2 sequential Postgres round trips and 1 Redis round trip", async () => {
    const user = await newUser();
    const label = tag();
    // Warm-up: the first request of a process loads the limiter's script into Redis (NOSCRIPT, then EVAL).
    const first = await chat(user, { message: message(label), token: issueRequestToken(user.id) });
    await first.settled;
    const conversationId = first.events[0]!.conversationId as string;

    recorder.reset();
    const second = await chat(user, { conversationId, message: message(label, "again"), token: first.events[0]!.nextToken });
    await second.settled;
    expect(second.status).toBe(200);
    expect(fake.stats(label).last!.messages).toHaveLength(4); // the history went with it
    const modelCallAt = fake.stats(label).last!.receivedAt;
    const postgres = recorder.before("postgres", modelCallAt);
    const redisTrips = recorder.before("redis", modelCallAt);
    console.info(`served chat, before the model call:\n${show([...postgres, ...redisTrips])}`);
    expect(
      postgres.every((trip) => trip.end <= modelCallAt),
      "every Postgres trip ended before the model call",
    ).toBe(true);
    expect(sequentialDepth(postgres), show(postgres)).toBeLessThanOrEqual(2);
    expect(postgres.length, show(postgres)).toBe(2); // the account statement, then the reservation
    expect(redisTrips.length, show(redisTrips)).toBeLessThanOrEqual(1);
    // After the model call: the conversation, the settlement and the audit row (not the guard's).
    expect(recorder.trips.filter((trip) => trip.start >= modelCallAt).length).toBeGreaterThan(0);
  });

  it("a cache hit (structured tool): at most 1 Postgres round trip and 1 Redis round trip before the answer", async () => {
    const user = await newUser();
    const label = tag();
    const text = `Cached answer [[tag:${label}]]`;
    expect((await summarizeTimed(user, text)).result).toMatchObject({ ok: true, data: { cacheHit: false } });

    recorder.reset();
    const hit = await summarizeTimed(user, text);
    expect(hit.result).toMatchObject({ ok: true, data: { cacheHit: true } });
    expect(fake.stats(label).chat).toBe(1);
    const postgres = recorder.before("postgres", hit.answeredAt);
    const redisTrips = recorder.before("redis", hit.answeredAt);
    console.info(`cache hit, before the answer:\n${show([...postgres, ...redisTrips])}`);
    expect(sequentialDepth(postgres), show(postgres)).toBeLessThanOrEqual(1);
    expect(postgres.length, show(postgres)).toBe(1);
    expect(redisTrips.length, show(redisTrips)).toBeLessThanOrEqual(1);
    // Its request was counted with its audit row, after the answer.
    const rows = await db.select().from(auditLog).where(eq(auditLog.userId, user.id));
    expect(rows.map((row) => [row.outcome, row.cacheHit])).toEqual(expect.arrayContaining([["served", true]]));
  });

  it("the two reads run at the same time: the Redis round trip overlaps the account statement", async () => {
    const user = await newUser();
    const label = tag();
    recorder.reset();
    const call = await chat(user, { message: message(label), token: issueRequestToken(user.id) });
    await call.settled;
    const modelCallAt = fake.stats(label).last!.receivedAt;
    const [account, reservation] = recorder.before("postgres", modelCallAt);
    const [round] = recorder.before("redis", modelCallAt);
    expect(round!.start).toBeLessThan(account!.end);
    expect(account!.start).toBeLessThan(round!.end);
    expect(reservation!.start).toBeGreaterThanOrEqual(Math.max(account!.end, round!.end));
    expect(GUARD_STEPS.map(([name]) => name)).toEqual(["session", "input", "lookup", "quota", "moderation"]);
  });

  it("when the account statement fails, what the Redis round trip counted in the rate-limit windows is given back", async () => {
    const user = await newUser();
    const label = tag();
    const ip = freshIp();
    vi.spyOn(console, "error").mockImplementation(() => {});
    outage.postgresDown = true;
    try {
      // More than the free plan's 5 a minute, all refused by the outage.
      for (let i = 0; i < 8; i++) {
        const call = await chat(user, { message: message(label, String(i)), token: issueRequestToken(user.id) }, { ip });
        await call.settled;
        expect(call.status).toBe(503);
      }
    } finally {
      outage.postgresDown = false;
      vi.mocked(console.error).mockRestore();
    }
    // Back: served at once, from the same address; without the refund both windows would refuse.
    const served = await chat(user, { message: message(label, "back"), token: issueRequestToken(user.id) }, { ip });
    await served.settled;
    expect(served.status).toBe(200);
    expect(fake.stats(label).chat).toBe(1);
  });
});
