import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { inject } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { startDelayProxy, type DelayProxy } from "../support/delay-proxy";
import { auditRows, heldReservations, newUser, summarize, usageRow } from "../support/guard-harness";
import { session } from "../support/session-mock";
import { requirement } from "../support/requirements";
import { waitForDatabase } from "../support/wait-for-database";

// A slow PostgreSQL, behind a TCP proxy in front of this run's database that holds every
// statement: 500 ms (requests get slower, but finish, and the quota stays exact), then the
// quota's and the audit's statements for good (past DATABASE_QUERY_TIMEOUT_MS every request
// refuses with 503 while the stall is still on, calls no model, admits nothing; its audit row
// arrives through the Redis outbox once the database answers again). Real PostgreSQL only (the
// embedded pass has no network between the app and PGlite, so nothing to stall).

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

// The client-side deadline under test (db/query-deadline.ts): 5 times the 500 ms stall, so the
// first test stays below it on a loaded machine, and far below the second test's stall.
const QUERY_TIMEOUT_MS = 2_500;
const databaseUrl = requirement(
  Boolean(inject("databaseUrl")),
  "tests/integration/postgres-slow.test.ts",
  "runs on the PostgreSQL pass only (DATABASE_URL): PGlite has no network to stall",
)
  ? inject("databaseUrl")
  : undefined;
let proxy: DelayProxy | undefined;
if (databaseUrl) {
  const direct = new URL(databaseUrl);
  proxy = await startDelayProxy(Number(direct.port || 5432));
  direct.host = `127.0.0.1:${proxy.port}`;
  process.env.DATABASE_URL = direct.toString();
}
const fake = await startFakeOpenAI({ wordDelayMs: 0 });
Object.assign(process.env, {
  // The stall picks statements by their text, which a prepared statement sends only once per connection.
  DATABASE_PREPARE: "off",
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  AUTH_SECRET: "postgres-slow-test-secret",
  DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
  // Its own outbox: a drain applies every entry it finds to this file's database.
  REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}slow`,
});
vi.spyOn(console, "error").mockImplementation(() => {}); // each timed-out query is logged

afterAll(async () => {
  await fake.close();
  // A connection cut by the proxy mid-statement never answers a plain `end`: give it 5 s.
  if (databaseUrl) {
    const db = await (await import("@/db")).getDb();
    await (db as unknown as { $client: { end: (options: { timeout: number }) => Promise<void> } }).$client.end({ timeout: 5 });
  }
  await proxy?.close();
});

/** A pro user with 3 requests left today. */
async function userWithThreeLeft() {
  const { getDb } = await import("@/db");
  const { subscriptions, usageDaily } = await import("@/db/schema");
  const { PLANS } = await import("@/lib/plans");
  const { utcDay } = await import("@/lib/time");
  const user = await newUser();
  const db = await getDb();
  await db.insert(subscriptions).values({ userId: user.id, plan: "pro", status: null });
  await db.insert(usageDaily).values({ userId: user.id, day: utcDay(), requests: PLANS.pro.requestsPerDay - 3 });
  return user;
}

describe.skipIf(!databaseUrl)("PostgreSQL stalled (real PostgreSQL only)", () => {
  it("500 ms per statement: a burst finishes without hanging, and the quota admits exactly the 3 requests left", async () => {
    const { PLANS } = await import("@/lib/plans");
    const user = await userWithThreeLeft();
    const label = `s${randomUUID().slice(0, 8)}`;

    proxy!.delayMs = 500;
    session.user = user;
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => summarize(user, { text: `Slow database ${i} [[tag:${label}]]` })));
    proxy!.delayMs = 0;

    expect(burst.filter((result) => result.ok)).toHaveLength(3);
    for (const result of burst.filter((r) => !r.ok)) expect(result).toMatchObject({ error: { code: "quota_exceeded" } });
    expect(fake.stats(label).chat).toBe(3);
    expect(await usageRow(user.id)).toMatchObject({ requests: PLANS.pro.requestsPerDay, tokensReserved: 0 });
    expect(await auditRows(user.id)).toHaveLength(8);
  }, 90_000);

  it("the quota and audit statements stalled for good: every request refuses with 503 while the stall is still on (DATABASE_QUERY_TIMEOUT_MS), calls no model and admits nothing; its audit row arrives once the database answers", async () => {
    const { ERROR_CODES } = await import("@/lib/errors");
    const { outboxSize } = await import("@/lib/guard/outbox");
    const { PLANS } = await import("@/lib/plans");
    const user = await userWithThreeLeft();
    const label = `h${randomUUID().slice(0, 8)}`;
    session.user = user;

    // The statements that count and record (the quota's reservation, the audit row) are held
    // longer than this test may run: every answer below came without PostgreSQL answering them.
    proxy!.stallWhen = /usage_daily|audit_log/;
    proxy!.delayMs = 10 * 60_000;
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) => summarize(user, { text: `Stalled database ${i} [[tag:${label}]]` })),
    );
    // The stall ends: the held statements are cut with their connections (never delivered).
    proxy!.delayMs = 0;
    proxy!.stallWhen = null;
    proxy!.dropConnections();

    for (const result of burst) {
      expect(result).toMatchObject({ ok: false, error: { code: "service_unavailable", message: ERROR_CODES.service_unavailable.message } });
    }
    expect(fake.stats(label).chat).toBe(0);

    await waitForDatabase(); // its connections were cut with the stall
    // Their rows were queued in Redis by the app itself (the real writer), and the next request
    // of this process that reaches PostgreSQL drains them: no drain by hand. (Changed: this
    // used to call drainOutbox() itself.)
    // (A row may be written before that anyway: the driver can still deliver a statement it had
    // queued when the connections came back; applying the entry again changes nothing.)
    expect(await outboxSize()).toBe(5);
    expect(await summarize(user, { text: `Back again [[tag:${label}]]` })).toMatchObject({ ok: true });
    expect(await outboxSize()).toBe(0);
    expect((await auditRows(user.id)).map((row) => row.outcome).sort()).toEqual(["served", ...Array(5).fill("service_unavailable")]);
    expect(await usageRow(user.id)).toMatchObject({ requests: PLANS.pro.requestsPerDay - 2, tokensReserved: 0 });
    expect(await heldReservations(user.id)).toHaveLength(0);
  }, 120_000);

  it("the settle and audit statements stalled after the model answered: the request's usage and row go to the Redis outbox, and the next request applies them, charging exactly what was billed", async () => {
    const { outboxSize } = await import("@/lib/guard/outbox");
    const user = await userWithThreeLeft();
    const label = `o${randomUUID().slice(0, 8)}`;
    session.user = user;

    // Everything before the model call goes through; what ends the request (the settle, which
    // deletes the reservation, and the audit row) is held past DATABASE_QUERY_TIMEOUT_MS.
    proxy!.stallWhen = /delete from reservations|insert into "audit_log"/i;
    proxy!.delayMs = 10 * 60_000;
    const first = await summarize(user, { text: `Answered, then stalled [[tag:${label}]]` });
    proxy!.delayMs = 0;
    proxy!.stallWhen = null;
    proxy!.dropConnections();
    expect(first).toMatchObject({ ok: true });
    expect(fake.stats(label).chat).toBe(1);
    await waitForDatabase();
    // Written by the app: one entry, with the settlement.
    expect(await outboxSize()).toBe(1);

    expect(await summarize(user, { text: `The next one [[tag:${label}]]` })).toMatchObject({ ok: true });
    expect(await outboxSize()).toBe(0);
    const rows = await auditRows(user.id);
    expect(rows.map((row) => row.outcome)).toEqual(["served", "served"]);
    const billed = fake.stats(label).billed;
    const charged = rows.reduce((sum, row) => sum + row.inputTokens + row.outputTokens, 0);
    expect(charged).toBe(billed.promptTokens + billed.completionTokens + billed.embeddingTokens);
    const { PLANS } = await import("@/lib/plans");
    expect(await usageRow(user.id)).toMatchObject({ requests: PLANS.pro.requestsPerDay - 1, tokensReserved: 0 });
    expect((await usageRow(user.id)).tokensUsed).toBe(charged);
    expect(await heldReservations(user.id)).toHaveLength(0);
  }, 120_000);
});
