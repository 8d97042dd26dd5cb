import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, chat, heldReservations, newUser, tag, usageRow } from "../support/guard-harness";
import { session } from "../support/session-mock";
import { createRunDatabase, runDatabaseName } from "../support/test-database";

// No reservation outlives its request, and no request goes without its audit row, even when
// its process dies between reserve and settle; and audit rows outlive their user. The cron
// route runs the sweeper behind CRON_SECRET. (The SIGKILL of a real server is in
// tests/security/guard-attacks.spec.ts; here the process "dies" by never settling.)

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const CRON_SECRET = "housekeeping-test-secret-0123456789";
// On the PostgreSQL passes this file gets a database and an outbox of its own: the sweeper and
// the budget row are global, so another file's expired reservations or spend running at the same
// time would change what these tests count. (The embedded pass gives every file its own PGlite.)
const runUrl = inject("databaseUrl");
const database = runUrl ? await createRunDatabase(runUrl, runDatabaseName("housekeeping")) : null;
const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, {
  ...(database && { DATABASE_URL: database.url }),
  REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}housekeeping`,
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  OPENAI_TIMEOUT_MS: "2000",
  AUTH_SECRET: "integration-test-secret",
  CRON_SECRET,
  AUDIT_STORE_TEXT: "on",
});

const { getDb } = await import("@/db");
// Opened (and migrated) while the file loads, so the first test does not pay for it.
await getDb();
const { auditLog, budgetDaily, reservations } = await import("@/db/schema");
const { reserveUsage, settleReservation } = await import("@/lib/guard/usage");
const { recordAudit } = await import("@/lib/audit-log");
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { deleteUser } = await import("@/db/queries/billing");
const { GET, POST } = await import("@/app/api/cron/housekeeping/route");
const { PLANS } = await import("@/lib/plans");
const { utcDay } = await import("@/lib/time");
const { eq, sql } = await import("drizzle-orm");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
  await database?.drop();
});

const cron = (authorization?: string, handler = GET) =>
  handler(new Request("http://localhost/api/cron/housekeeping", { headers: authorization ? { authorization } : {} }));

/** A request that reserved and then died: its reservation, already past its expiry. */
async function orphanedReservation(userId: string) {
  const requestId = randomUUID();
  const reservation = await reserveUsage({
    requestId,
    userId,
    action: "chat",
    model: "gpt-4.1-nano",
    plan: PLANS.free,
    tokens: 700,
    costMicros: 250,
    budgetMicros: null,
  });
  if ("refused" in reservation) throw new Error("refused");
  const db = await getDb();
  await db
    .update(reservations)
    .set({ expiresAt: sql`now() - interval '1 second'` })
    .where(eq(reservations.requestId, requestId));
  return reservation;
}

const reservedBudget = async () => {
  const db = await getDb();
  return (await db.select().from(budgetDaily).where(eq(budgetDaily.day, utcDay())))[0]?.reservedMicros ?? 0;
};

describe("the cron route", () => {
  it("refuses a call without the secret, with a wrong one or a prefix of it, and sweeps nothing", async () => {
    const user = await newUser();
    await orphanedReservation(user.id);
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${CRON_SECRET.slice(0, -1)}`, CRON_SECRET, `bearer ${CRON_SECRET}x`]) {
      const response = await cron(authorization);
      expect(response.status, String(authorization)).toBe(401);
    }
    expect(await heldReservations(user.id)).toHaveLength(1);
    expect((await usageRow(user.id)).tokensReserved).toBe(700);
  });

  it("releases an expired reservation once and writes its audit row (outcome lost), by GET or POST", async () => {
    const user = await newUser();
    const orphan = await orphanedReservation(user.id);
    const live = await reserveUsage({
      requestId: randomUUID(),
      userId: user.id,
      action: "chat",
      model: "gpt-4.1-nano",
      plan: PLANS.free,
      tokens: 300,
      costMicros: 100,
      budgetMicros: null,
    });
    const budgetBefore = await reservedBudget();
    const response = await cron(`Bearer ${CRON_SECRET}`);
    expect(response.status).toBe(200);
    // This orphan, and the one the previous test left (refused calls sweep nothing): 250 each.
    const { releasedReservations } = (await response.json()) as { releasedReservations: number };
    expect(releasedReservations).toBe(2);
    // The live one (not expired) is kept; the orphan is gone, released and audited.
    expect((await heldReservations(user.id)).map((row) => row.requestId)).toEqual([(live as { requestId: string }).requestId]);
    expect(await usageRow(user.id)).toMatchObject({ requests: 1, tokensReserved: 300, tokensUsed: 0 });
    expect(await reservedBudget()).toBe(budgetBefore - 2 * 250);
    const rows = await auditRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      requestId: orphan.requestId,
      outcome: "lost",
      action: "chat",
      model: "gpt-4.1-nano",
      inputTokens: 0,
      outputTokens: 0,
    });
    expect(rows[0]!.details).toMatchObject({ reservedTokens: 700, reservedMicros: 250 });
    // Again, by POST: nothing left to release, no second row.
    const again = await cron(`Bearer ${CRON_SECRET}`, POST);
    expect(again.status).toBe(200);
    expect(await auditRows(user.id)).toHaveLength(1);
  });

  it("a request that settles after it was swept is charged once, and its real audit row replaces the lost one", async () => {
    const user = await newUser();
    const orphan = await orphanedReservation(user.id);
    await cron(`Bearer ${CRON_SECRET}`);
    expect(await usageRow(user.id)).toMatchObject({ requests: 0, tokensReserved: 0 });
    await settleReservation(orphan, { tokens: 90, costMicros: 30, release: false });
    // Changed (issue 18.12): the request the sweeper gave back counts again once it turns out to
    // have been served (it used to stay uncounted against the daily request limit).
    expect(await usageRow(user.id)).toMatchObject({ requests: 1, tokensReserved: 0, tokensUsed: 90, costMicros: 30 });
    await recordAudit({
      requestId: orphan.requestId,
      userId: user.id,
      action: "chat",
      outcome: "served",
      inputTokens: 60,
      outputTokens: 30,
      costMicros: 30,
    });
    expect((await auditRows(user.id)).map((row) => [row.outcome, row.inputTokens + row.outputTokens])).toEqual([["served", 90]]);
    // A served row is never overwritten by a later write for the same request.
    await recordAudit({ requestId: orphan.requestId, userId: user.id, action: "chat", outcome: "aborted" });
    expect((await auditRows(user.id)).map((row) => row.outcome)).toEqual(["served"]);
  });
});

describe("a settle that comes after the request's outcome was applied (issue 18.10)", () => {
  it("adds nothing: the outbox applied it while the settle statement stalled past the query deadline", async () => {
    const { recordOutcome } = await import("@/lib/guard/outbox");
    const user = await newUser();
    const reservation = await orphanedReservation(user.id);
    const usage = { tokens: 90, costMicros: 30, release: false };
    // The request's end, as the outbox applies it when the direct settle gave up.
    await recordOutcome({
      requestId: reservation.requestId,
      audit: {
        requestId: reservation.requestId,
        userId: user.id,
        action: "chat",
        outcome: "served",
        inputTokens: 60,
        outputTokens: 30,
        costMicros: 30,
      },
      settlement: { userId: user.id, day: reservation.day, ...usage },
    });
    const applied = await usageRow(user.id);
    expect(applied).toMatchObject({ requests: 1, tokensReserved: 0, tokensUsed: 90, costMicros: 30 });
    // The stalled statement finally runs.
    await settleReservation(reservation, usage);
    expect(await usageRow(user.id)).toEqual(applied);
  });
});

describe("audit rows outlive their user", () => {
  it("a request in flight when its account is deleted keeps its one audit row, user id kept, personal data removed", async () => {
    const user = await newUser();
    const label = tag();
    let deleted: Promise<void> | undefined;
    let texts = 0;
    const call = await chat(
      user,
      { message: `Delete me mid-stream [[fault:slow]] [[words:40]] [[tag:${label}]]`, token: issueRequestToken(user.id) },
      {
        onText: () => {
          if (++texts === 2) deleted = deleteUser(user.id);
        },
      },
    );
    await deleted;
    await call.settled;
    session.user = null;
    const rows = await auditRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: user.id, promptText: null, responseText: null, ipHash: null });
    expect(rows[0]!.outputTokens).toBeGreaterThan(0);
    expect(await heldReservations(user.id)).toEqual([]);
  });

  it("deleting an account keeps its past audit rows (tokens, cost) and removes their prompt, response and IP hash", async () => {
    const user = await newUser();
    const call = await chat(user, { message: `Remember nothing [[tag:${tag()}]]`, token: issueRequestToken(user.id) });
    await call.settled;
    const [before] = await auditRows(user.id);
    expect(before).toMatchObject({ outcome: "served", promptText: expect.stringContaining("Remember nothing") });
    expect(before!.ipHash).not.toBeNull();
    await deleteUser(user.id);
    const db = await getDb();
    const [after] = await db.select().from(auditLog).where(eq(auditLog.requestId, before!.requestId));
    expect(after).toMatchObject({
      userId: user.id,
      outcome: "served",
      costMicros: before!.costMicros,
      promptText: null,
      responseText: null,
      ipHash: null,
    });
  });
});

// The Redis outbox (a request's end queued while PostgreSQL cannot take it) is tested with the
// app's own writer, a request while PostgreSQL is stalled or stopped, in postgres-slow.test.ts
// and postgres-stopped.test.ts. (Changed: it was tested here with hand-written entries, drained
// by hand.)
