import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import postgres from "postgres";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { chat, newUser, tag } from "../support/guard-harness";
import { type TestUser } from "../support/session-mock";
import { createRunDatabase, runDatabaseName } from "../support/test-database";
import { requirement } from "../support/requirements";

// Concurrency proofs, on real PostgreSQL only: PGlite runs one statement at a time and cannot
// show a race or a deadlock. This file gets a database of its own, so PostgreSQL's deadlock
// counter and the day's budget row see nothing but its own requests.
//
// The per-user rate limit is switched off here (its own tests are in guard.test.ts): these
// bursts exist to load the database, and 50 requests from one user would otherwise stop at
// the plan's requests per minute before they reach it.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());
vi.mock("@/lib/guard/steps/rate-limit", () => ({ enforceRateLimits: async () => {} }));

const runUrl = requirement(
  Boolean(inject("databaseUrl")),
  "tests/integration/guard-concurrency.test.ts",
  "runs on the PostgreSQL pass only (DATABASE_URL): PGlite runs one statement at a time",
)
  ? inject("databaseUrl")
  : undefined;
const database = runUrl ? await createRunDatabase(runUrl, runDatabaseName("concurrency")) : null;
const fake = await startFakeOpenAI({ wordDelayMs: 0 });
Object.assign(process.env, {
  ...(database && { DATABASE_URL: database.url }),
  DATABASE_POOL_MAX: "10",
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  OPENAI_TIMEOUT_MS: "30000", // generous: a loaded CI machine must not turn the burst into timeouts
  AUTH_SECRET: "integration-test-secret",
  DAILY_BUDGET_USD: "1000",
});

const { getDb } = await import("@/db");
const { budgetDaily, usageDaily } = await import("@/db/schema");
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { reserveUsage, settleReservation } = await import("@/lib/guard/usage");
const { recordAudit } = await import("@/lib/audit-log");
const { PLANS } = await import("@/lib/plans");
const { utcDay } = await import("@/lib/time");

// Two connections of the test's own: one in the database to read the ledgers, one outside it
// to read PostgreSQL's statistics after the app's pool has closed.
const direct = database ? postgres(database.url, { max: 1, prepare: false, onnotice: () => {} }) : null;
const monitor = database ? postgres(database.url.replace(/\/[^/]+$/, "/postgres"), { max: 1, prepare: false, onnotice: () => {} }) : null;
const databaseName = database ? new URL(database.url).pathname.slice(1) : "";

afterAll(async () => {
  await fake.close();
  if (!database) return;
  await Promise.all([direct!.end(), monitor!.end()]);
  await database.drop();
});

/** PostgreSQL's deadlock count for this database, once every connection has reported its stats. */
async function deadlocks(): Promise<number> {
  await monitor!`select pg_stat_clear_snapshot()`;
  const [row] = await monitor!<{ deadlocks: string }[]>`select deadlocks from pg_stat_database where datname = ${databaseName}`;
  return Number(row!.deadlocks);
}

const served = (call: Awaited<ReturnType<typeof chat>>) => call.status === 200 && call.events.at(-1)?.type === "done";

describe.skipIf(!database)("real PostgreSQL: concurrency", () => {
  it(
    "real PostgreSQL: a burst (50 from one user, 50 over 10 users) settles every request, ledgers equal the audit rows, no deadlock",
    { timeout: 120_000 },
    async () => {
      const loner = await newUser({ plan: "pro" });
      const crowd = await Promise.all(Array.from({ length: 10 }, () => newUser({ plan: "pro" })));
      // One fake tag per user: what the fake billed each of them is the expected ledger.
      const tags = new Map([loner, ...crowd].map((user) => [user.id, tag()]));
      const before = await deadlocks();
      const burst = (user: TestUser, i: number) =>
        chat(user, { message: `Burst ${i} [[tag:${tags.get(user.id)}]]`, token: issueRequestToken(user.id) });
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => burst(i % 2 === 0 ? loner : crowd[Math.floor(i / 2) % 10]!, i)),
      );
      await Promise.all(results.map((call) => call.settled));
      expect(results.filter((call) => !served(call)).map((call) => call.body ?? call.events.at(-1))).toEqual([]);
      // Then the ledger statements alone, back to back, where a lock-order cycle shows at once:
      // 10 workers × 30 reserve → settle pairs for the same user (each also audited, as a request is).
      // Each settle must be the one that claimed its reservation (a number, not null).
      const settled = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const spent: Array<number | null> = [];
          for (let i = 0; i < 30; i++) {
            const requestId = randomUUID();
            const reservation = await reserveUsage({
              requestId,
              userId: loner.id,
              action: "chat",
              model: "gpt-4.1-mini",
              plan: PLANS.pro,
              tokens: 500,
              costMicros: 900,
              budgetMicros: 1_000_000_000,
            });
            if ("refused" in reservation) throw new Error(`refused: ${reservation.refused}`);
            spent.push(await settleReservation(reservation, { tokens: 120, costMicros: 200, release: false }));
            await recordAudit({
              requestId,
              userId: loner.id,
              action: "chat",
              outcome: "served",
              inputTokens: 100,
              outputTokens: 20,
              costMicros: 200,
            });
          }
          return spent;
        }),
      );
      expect(settled.flat().filter((spent) => typeof spent !== "number")).toEqual([]);

      // The ledgers, against figures that do not come from the app: what the fake billed each
      // user, the direct pairs' constants, and each served row's cost at gpt-4.1-mini's price.
      // (Changed: a failed settle used to be caught by grepping the log for "could not settle";
      // the state itself is what must be right.)
      for (const user of [loner, ...crowd]) {
        const directPairs = user === loner ? 300 : 0;
        const billed = fake.stats(tags.get(user.id)!).billed;
        const [ledger] = await direct!<{ tokens_used: string; tokens_reserved: string; cost_micros: string; requests: number }[]>`
        select tokens_used, tokens_reserved, cost_micros, requests from usage_daily where user_id = ${user.id} and day = ${utcDay()}`;
        const rows = await direct!<
          { input_tokens: number; output_tokens: number; cost_micros: string; outcome: string; model: string | null }[]
        >`
        select input_tokens, output_tokens, cost_micros, outcome, model from audit_log where user_id = ${user.id} and action = 'chat'`;
        const chatRows = rows.filter((row) => row.model !== null);
        expect(rows.map((row) => row.outcome)).toEqual(Array(rows.length).fill("served"));
        expect(chatRows).toHaveLength(user === loner ? 50 : 5);
        expect(rows).toHaveLength(chatRows.length + directPairs);
        for (const row of chatRows) {
          expect(row.model).toBe("gpt-4.1-mini");
          expect(Number(row.cost_micros)).toBe(Math.ceil(row.input_tokens * 0.4 + row.output_tokens * 1.6));
        }
        const chatTokens = chatRows.reduce((sum, row) => sum + row.input_tokens + row.output_tokens, 0);
        expect(chatTokens).toBe(billed.promptTokens + billed.completionTokens);
        const chatCost = chatRows.reduce((sum, row) => sum + Number(row.cost_micros), 0);
        expect({
          tokensReserved: Number(ledger!.tokens_reserved),
          tokensUsed: Number(ledger!.tokens_used),
          costMicros: Number(ledger!.cost_micros),
          requests: ledger!.requests,
        }).toEqual({
          tokensReserved: 0,
          tokensUsed: billed.promptTokens + billed.completionTokens + directPairs * 120,
          costMicros: chatCost + directPairs * 200,
          requests: chatRows.length + directPairs,
        });
      }
      const [budget] = await direct!<
        { cost_micros: string; reserved_micros: string }[]
      >`select cost_micros, reserved_micros from budget_daily where day = ${utcDay()}`;
      const [allAudit] = await direct!<{ cost: string }[]>`select sum(cost_micros) as cost from audit_log`;
      expect(Number(budget!.reserved_micros)).toBe(0);
      expect(Number(budget!.cost_micros)).toBe(Number(allAudit!.cost));
      expect(await direct!`select * from reservations`).toHaveLength(0);

      // A backend reports its statistics when it exits. Close the app's pool, then end every
      // backend still on this database (a pooler such as pgbouncer keeps server connections
      // open), wait until they are gone, and read the counter.
      await closeDatabase(await getDb());
      (globalThis as { dbPromise?: unknown }).dbPromise = undefined;
      await monitor!`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${databaseName}`;
      await expect
        .poll(async () => Number((await monitor!`select count(*) from pg_stat_activity where datname = ${databaseName}`)[0]!.count), {
          timeout: 10_000,
        })
        .toBe(0);
      expect(await deadlocks()).toBe(before);
    },
  );

  // A pro request's worst case, from figures that do not come from the app's own formula: the
  // prompt tokens the fake billed for the very same message (one probe request, another user),
  // pro's 4,096 output tokens and gpt-4.1-mini's price ($0.40 / $1.60 per million tokens).
  // (Changed: this used to call the app's countPromptTokens and costMicros.)
  const PRO_MAX_OUTPUT_TOKENS = 4_096;
  const worstCase = async (text: string) => {
    const label = tag();
    // Replies take about 3 s (60 words, 50 ms apart), so every request of a burst reserves before
    // any settles: a settled request gives back what its worst case held, which would let one more in.
    const message = `${text} [[fault:slow]] [[words:60]] [[tag:${label}]]`;
    const probe = await newUser({ plan: "pro" });
    const call = await chat(probe, { message, token: issueRequestToken(probe.id) });
    await call.settled;
    expect(served(call)).toBe(true);
    const input = fake.stats(label).billed.promptTokens;
    return { message, tokens: input + PRO_MAX_OUTPUT_TOKENS, micros: Math.ceil(input * 0.4 + PRO_MAX_OUTPUT_TOKENS * 1.6) };
  };

  it("real PostgreSQL: 30 parallel requests against the daily token limit admit exactly as many worst cases as fit", async () => {
    const user = await newUser({ plan: "pro" });
    const worst = await worstCase("Token race");
    const fits = 4;
    const db = await getDb();
    // Tokens left: room for 4 worst cases and a bit, never 5. Requests are plentiful.
    await db
      .insert(usageDaily)
      .values({ userId: user.id, day: utcDay(), tokensUsed: PLANS.pro.tokensPerDay - fits * worst.tokens - Math.floor(worst.tokens / 2) });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => chat(user, { message: worst.message, token: issueRequestToken(user.id) })),
    );
    await Promise.all(results.map((call) => call.settled));
    expect(results.filter((call) => call.status === 200)).toHaveLength(fits);
    const refused = results.filter((call) => call.status !== 200);
    expect(new Set(refused.map((call) => (call.body!.error as { code: string }).code))).toEqual(new Set(["quota_exceeded"]));
  });

  it("real PostgreSQL: 30 parallel requests from 10 users against the global budget admit exactly as many worst cases as fit", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser({ plan: "pro" })));
    const worst = await worstCase("Budget race");
    const fits = 3;
    const db = await getDb();
    const budget = 1000 * 1_000_000;
    const spent = budget - fits * worst.micros - Math.floor(worst.micros / 2);
    await db
      .insert(budgetDaily)
      .values({ day: utcDay(), costMicros: spent })
      .onConflictDoUpdate({ target: budgetDaily.day, set: { costMicros: spent } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => chat(users[i % 10]!, { message: worst.message, token: issueRequestToken(users[i % 10]!.id) })),
    );
    await Promise.all(results.map((call) => call.settled));
    expect(results.filter((call) => call.status === 200)).toHaveLength(fits);
    const refused = results.filter((call) => call.status !== 200);
    expect(new Set(refused.map((call) => (call.body!.error as { code: string }).code))).toEqual(new Set(["budget_exhausted"]));
  });
});
