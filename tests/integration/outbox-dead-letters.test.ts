import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, chat, message, newUser, tag } from "../support/guard-harness";

// Issue 18.9 (the outbox's part): an entry PostgreSQL refuses for what it holds sat at the head
// of the outbox: every drain stopped there, the housekeeping cron answered 500 and the queue
// grew. The entry is written by the real writer (recordOutcome: PostgreSQL refuses it, so it is
// queued), and the next request's own drain moves it to the dead letters and goes on.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
const CRON_SECRET = "a-cron-secret-of-some-length";
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret", CRON_SECRET });

const { getDb } = await import("@/db");
await getDb();
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { deadLetters, outboxSize, recordOutcome } = await import("@/lib/guard/outbox");
const { GET } = await import("@/app/api/cron/housekeeping/route");
const { reserveUsage } = await import("@/lib/guard/usage");
const { PLANS } = await import("@/lib/plans");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe("the outbox's dead letters", () => {
  it("an entry PostgreSQL always refuses is moved aside by the next drain, which goes on; the cron answers 200", async () => {
    const user = await newUser();
    const requestId = randomUUID();
    const held = await reserveUsage({
      requestId,
      userId: user.id,
      action: "chat",
      model: "gpt-4.1-nano",
      plan: PLANS.free,
      tokens: 10,
      costMicros: 1,
      budgetMicros: null,
    });
    expect(held).not.toHaveProperty("refused");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // A settlement for a day that does not exist: PostgreSQL refuses it (22008) every time.
    await recordOutcome({
      requestId,
      audit: { requestId, userId: user.id, action: "chat", outcome: "served", inputTokens: 1, outputTokens: 1, costMicros: 1 },
      settlement: { userId: user.id, day: "2026-13-45", tokens: 2, costMicros: 1, release: false },
    });
    expect(await outboxSize()).toBeGreaterThanOrEqual(1);

    // The next request that reaches PostgreSQL drains (this process queued an entry).
    const call = await chat(user, { message: message(tag()), token: issueRequestToken(user.id) });
    await call.settled;
    errors.mockRestore();
    expect(call.events.at(-1)?.type).toBe("done");
    expect((await auditRows(user.id)).map((row) => row.outcome)).toEqual(["served"]);
    const letters = await deadLetters();
    expect(letters.find((letter) => letter.requestId === requestId)?.reason).toMatch(/date|range|invalid/i);
    expect(await outboxSize()).toBe(0);

    const cron = await GET(new Request("http://localhost/api/cron/housekeeping", { headers: { authorization: `Bearer ${CRON_SECRET}` } }));
    expect(cron.status, JSON.stringify(await cron.clone().json())).toBe(200);
  });
});
