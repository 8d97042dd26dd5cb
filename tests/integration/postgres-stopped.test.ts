import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { inject } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { freePort } from "../support/free-port";
import { chat, heldReservations, newUser, summarize, usageRow } from "../support/guard-harness";
import { session } from "../support/session-mock";
import { requirement } from "../support/requirements";
import { createRunDatabase } from "../support/test-database";
import { waitForDatabase } from "../support/wait-for-database";

// PostgreSQL stopped during a burst, on a cluster of this file's own (initdb into a temporary
// directory, never the shared server): chat and the structured tool refuse with 503 and a clear
// message, the model is never called while it is down, and service resumes by itself once it
// is back, with the same app modules (no restart). Requests that were streaming when it died
// get their settlement and audit row from the Redis outbox once it is back, exactly once.
// Real-services pass only, where PostgreSQL's binaries are installed. Only the session is stubbed.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const binDir = existsSync("/usr/lib/postgresql")
  ? readdirSync("/usr/lib/postgresql")
      .map((version) => `/usr/lib/postgresql/${version}/bin`)
      .find((dir) => existsSync(`${dir}/pg_ctl`))
  : undefined;
const enabled =
  requirement(
    Boolean(inject("databaseUrl")),
    "tests/integration/postgres-stopped.test.ts",
    "runs on the PostgreSQL pass only (DATABASE_URL)",
  ) &&
  requirement(
    Boolean(binDir),
    "tests/integration/postgres-stopped.test.ts (PostgreSQL stopped and started again)",
    "no PostgreSQL server programs (initdb, pg_ctl) under /usr/lib/postgresql (CI has them)",
  );

// initdb and pg_ctl refuse to run as root: run them as the postgres user.
const asPostgres = (() => {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return process.getuid?.() === 0 ? { uid, gid } : {};
  } catch {
    return {};
  }
})();
const dataDir = enabled ? mkdtempSync(path.join(tmpdir(), "pg-stopped-")) : "";
const port = enabled ? await freePort() : 0;
const pgCtl = (...args: string[]) => execFileSync(`${binDir}/pg_ctl`, ["-D", dataDir, "-w", ...args], { ...asPostgres, stdio: "ignore" });
const startPostgres = () =>
  pgCtl("-o", `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", `${dataDir}/log`, "start");
const stopPostgres = () => pgCtl("-m", "immediate", "stop");

const fake = await startFakeOpenAI({ wordDelayMs: 0 });
let dropDatabase: (() => Promise<void>) | undefined;
if (enabled) {
  if ("uid" in asPostgres) chownSync(dataDir, asPostgres.uid!, asPostgres.gid!);
  execFileSync(`${binDir}/initdb`, ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync"], { ...asPostgres, stdio: "ignore" });
  startPostgres();
  const database = await createRunDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, `stopped_${Date.now()}`);
  dropDatabase = database.drop;
  process.env.DATABASE_URL = database.url;
}
Object.assign(process.env, {
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  AUTH_SECRET: "postgres-stopped-test-secret",
  // Its own outbox: a drain applies every entry it finds to this file's database.
  REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}stopped`,
  // Not under test here (postgres-slow is): a restarted server on a loaded machine may take
  // longer than the default to answer the test's own first queries.
  DATABASE_QUERY_TIMEOUT_MS: "20000",
});
vi.spyOn(console, "error").mockImplementation(() => {}); // the app logs each failed query and audit write

afterAll(async () => {
  await fake.close();
  if (!enabled) return;
  // A connection that was opening when the server died never answers `end`: give it 5 s.
  await (
    await import("@/db")
  )
    .getDb()
    .then((db) => (db as unknown as { $client: { end: (options: { timeout: number }) => Promise<void> } }).$client.end({ timeout: 5 }))
    .catch(() => {});
  await dropDatabase?.().catch(() => {});
  try {
    pgCtl("-m", "immediate", "stop");
  } catch {
    // already stopped
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** This file's database is its own: every audit row after a given id is one of the test's requests. */
async function lastAuditId(): Promise<number> {
  const { getDb } = await import("@/db");
  const { auditLog } = await import("@/db/schema");
  const { sql } = await import("drizzle-orm");
  const [row] = await (await getDb()).select({ id: sql<string | null>`max(${auditLog.id})` }).from(auditLog);
  return Number(row?.id ?? 0);
}
async function auditRowsSince(id: number) {
  const { getDb } = await import("@/db");
  const { auditLog } = await import("@/db/schema");
  const { asc, gte } = await import("drizzle-orm");
  return (await getDb()).select().from(auditLog).where(gte(auditLog.id, id)).orderBy(asc(auditLog.id));
}

describe.skipIf(!enabled)("PostgreSQL stopped during a burst, then started again (real-services pass, own cluster)", () => {
  it("chat and the structured tool refuse with 503 and a clear message, call no model while it is down, and serve again once it is back", async () => {
    const { issueRequestToken } = await import("@/lib/guard/request-token");
    const { drainOutbox } = await import("@/lib/guard/outbox");
    const { ERROR_CODES } = await import("@/lib/errors");

    const user = await newUser();
    session.user = user;
    const label = `p${randomUUID().slice(0, 8)}`;
    const ask = (text: string) => chat(user, { message: `${text} [[tag:${label}]]`, token: issueRequestToken(user.id) });
    const tool = (text: string) => summarize(user, { text: `${text} [[tag:${label}]]` });

    const before = await ask("Before");
    expect(before.status).toBe(200);
    await before.settled;
    expect(fake.stats(label).chat).toBe(1);
    const firstRow = (await lastAuditId()) + 1;

    stopPostgres();
    const chats = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(`During ${i}`)));
    for (const reply of chats) {
      expect(reply.status).toBe(503);
      expect(reply.body).toMatchObject({ error: { code: "service_unavailable", message: ERROR_CODES.service_unavailable.message } });
    }
    const tools = await Promise.all(Array.from({ length: 4 }, (_, i) => tool(`During ${i}`)));
    for (const result of tools) expect(result).toMatchObject({ ok: false, error: { code: "service_unavailable" } });
    await Promise.all(chats.map((reply) => reply.settled));
    expect(fake.stats(label).chat).toBe(1);

    startPostgres();
    // Each refused attempt while it starts has its own row too.
    let refusedWhileStarting = 0;
    const after = async () => {
      const reply = await ask(`After ${randomUUID()}`);
      await reply.settled;
      if (reply.status === 503) refusedWhileStarting++;
      return reply.status;
    };
    await expect.poll(after, { timeout: 20_000, interval: 300 }).toBe(200);
    expect((await tool(`After ${randomUUID()}`)).ok).toBe(true);
    // Every refusal while it was down has its audit row once the outbox is drained.
    await drainOutbox();
    const rows = await auditRowsSince(firstRow);
    expect(rows.filter((row) => row.outcome === "service_unavailable")).toHaveLength(10 + refusedWhileStarting);
    expect(rows.filter((row) => row.outcome === "served")).toHaveLength(2);
  }, 90_000);

  it("requests streaming when it stops get their audit row and settlement from the Redis outbox once it is back, applied once however often it is drained", async () => {
    const { getDb } = await import("@/db");
    const { auditLog, budgetDaily } = await import("@/db/schema");
    const { issueRequestToken } = await import("@/lib/guard/request-token");
    const { drainOutbox, outboxSize } = await import("@/lib/guard/outbox");
    const { sweepExpiredReservations } = await import("@/lib/guard/usage");
    const { redis, redisKey } = await import("@/lib/redis");
    const { utcDay } = await import("@/lib/time");
    const { eq, sql } = await import("drizzle-orm");

    const user = await newUser();
    session.user = user;
    const label = `f${randomUUID().slice(0, 8)}`;
    const firstRow = (await lastAuditId()) + 1;
    // 4 long streams (20 s each): PostgreSQL stops once each has sent text, then the clients
    // leave, so each ends (aborted, charged for what was generated) while it is down.
    const STREAMS = 4;
    const clients = Array.from({ length: STREAMS }, () => new AbortController());
    const streaming = new Set<number>();
    let allStreaming!: () => void;
    const started = new Promise<void>((resolve) => (allStreaming = resolve));
    const streams = clients.map((client, i) =>
      chat(
        user,
        { message: `Stream ${i} [[fault:slow]] [[tag:${label}]]`, token: issueRequestToken(user.id) },
        { signal: client.signal, onText: () => void (streaming.add(i).size === STREAMS && allStreaming()) },
      ),
    );
    await started;
    stopPostgres();
    for (const client of clients) client.abort();
    const replies = await Promise.all(streams);
    const refused = await chat(user, { message: `While down [[tag:${label}]]`, token: issueRequestToken(user.id) });
    expect(refused.status).toBe(503);
    await Promise.all([...replies, refused].map((reply) => reply.settled));
    for (const reply of replies) expect(reply.status).toBe(200);
    expect(await outboxSize()).toBeGreaterThanOrEqual(STREAMS + 1);
    // Keep a copy of the queued entries, to queue them again after they were applied.
    const queued = await redis.hgetall<Record<string, unknown>>(redisKey("outbox"));

    startPostgres();
    await waitForDatabase();
    const db = await getDb();
    // The drain comes late: the reservations expire first and the sweeper releases them as
    // `lost` (the outbox was out of its reach, as when Redis is down at that moment). Some may
    // be settled already: the driver runs a transaction still queued from the outage once the
    // server is back (the app had given up on it and queued the entry; applying it then is
    // harmless, as below).
    await db.execute(sql`update reservations set expires_at = now() - interval '1 second' where user_id = ${user.id}`);
    const held = (await heldReservations(user.id)).length;
    await redis.del(redisKey("outbox"));
    expect(await sweepExpiredReservations()).toBe(held);
    expect((await auditRowsSince(firstRow)).filter((row) => row.outcome === "lost")).toHaveLength(held);
    // Then the outbox is back and drained twice in parallel, racing the sweeper: each real
    // outcome replaces its `lost` row and is charged once.
    await redis.hset(redisKey("outbox"), queued!);
    await Promise.all([drainOutbox(), sweepExpiredReservations(), drainOutbox()]);
    expect(await outboxSize()).toBe(0);
    const check = async () => {
      const rows = await auditRowsSince(firstRow);
      const usage = await usageRow(user.id);
      const [budget] = await db.select().from(budgetDaily).where(eq(budgetDaily.day, utcDay()));
      const [all] = await db
        .select({ cost: sql<string>`coalesce(sum(${auditLog.costMicros}), 0)` })
        .from(auditLog)
        .where(sql`${auditLog.createdAt} >= ${utcDay()}::date`);
      return { rows, usage, budget, allCost: Number(all!.cost) };
    };
    const first = await check();
    // Applied again, as after a drain that died before removing the entries: nothing changes.
    await redis.hset(redisKey("outbox"), queued!);
    await Promise.all([drainOutbox(), drainOutbox()]);
    expect(await check()).toEqual(first);

    const { rows, usage, budget, allCost } = first;
    // One audit row per request (the refusal's names the cookie's user), none `lost`.
    expect(rows).toHaveLength(STREAMS + 1);
    expect(rows.filter((row) => row.userId === user.id)).toHaveLength(STREAMS + 1);
    expect(rows.filter((row) => row.outcome === "lost")).toHaveLength(0);
    const streamed = rows.filter((row) => row.outputTokens > 0);
    expect(streamed).toHaveLength(STREAMS);
    expect(streamed.map((row) => row.outcome)).toEqual(Array(STREAMS).fill("aborted"));
    expect(fake.stats(label).completed).toBe(0);
    // Usage == the sum of the audit rows; nothing still reserved; the global budget likewise.
    const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
    expect(usage).toMatchObject({
      requests: STREAMS,
      tokensReserved: 0,
      tokensUsed: sum((row) => row.inputTokens + row.outputTokens),
      costMicros: sum((row) => row.costMicros),
    });
    expect(sum((row) => row.costMicros)).toBeGreaterThan(0);
    expect(await heldReservations(user.id)).toHaveLength(0);
    expect(budget).toMatchObject({ reservedMicros: 0, costMicros: allCost });
  }, 90_000);
});
