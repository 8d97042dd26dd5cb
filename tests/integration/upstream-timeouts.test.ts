import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, plainCostMicros, chat, heldReservations, message, newUser, summarize, tag, usageRow } from "../support/guard-harness";

// The faults that end in the upstream timeout, with a short OPENAI_TIMEOUT_MS of this file's
// own (guard.test.ts keeps a long one, so its served requests never meet the timeout on a
// loaded machine). What each is charged: what the upstream billed when it answered and then went
// silent (stall); the reservation's worst case when the request was sent and no answer came in
// time (hang): the provider may have run it. Changed (issue 18.8): "hang" used to release the
// reservation, charging nothing.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, {
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  OPENAI_TIMEOUT_MS: "1000",
  AUTH_SECRET: "integration-test-secret",
});

const { getDb } = await import("@/db");
// Opened (and migrated) while the file loads, so the first test does not pay for it.
await getDb();
const { issueRequestToken } = await import("@/lib/guard/request-token");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe("upstream timeouts", () => {
  it("hang (no answer in time): a clear error, the reservation's worst case charged, audited", async () => {
    const user = await newUser();
    const label = tag();
    const call = await chat(user, { message: `${message(label)} [[fault:hang]]`, token: issueRequestToken(user.id) });
    await call.settled;
    const error = call.events.find((event) => event.type === "error")?.error as { code: string; message: string };
    expect(error.code).toBe("upstream_timeout");
    expect(error.message.length).toBeGreaterThan(10);
    expect(fake.stats(label).chat).toBe(1);
    const rows = await auditRows(user.id);
    expect(rows.map((row) => row.outcome)).toEqual(["upstream_timeout"]);
    const reserved = (rows[0]!.details as { reservedTokens: number }).reservedTokens;
    expect(reserved).toBeGreaterThan(0);
    expect(rows[0]!.inputTokens + rows[0]!.outputTokens).toBe(reserved);
    expect(await usageRow(user.id)).toMatchObject({
      requests: 1,
      tokensReserved: 0,
      tokensUsed: reserved,
      costMicros: plainCostMicros("gpt-4.1-nano", rows[0]!.inputTokens, rows[0]!.outputTokens),
    });
    expect(await heldReservations(user.id)).toEqual([]);
  });

  it("stall (three words, then silence): a clear error, exactly what the upstream billed charged, audited", async () => {
    const user = await newUser();
    const label = tag();
    const call = await chat(user, { message: `${message(label)} [[fault:stall]]`, token: issueRequestToken(user.id) });
    await call.settled;
    const error = call.events.find((event) => event.type === "error")?.error as { code: string; message: string };
    expect(error.code).toBe("upstream_timeout");
    expect(error.message).not.toMatch(/nothing was charged/i);
    const billed = fake.stats(label).billed;
    expect(billed.completionTokens).toBeGreaterThan(0);
    const rows = await auditRows(user.id);
    expect(rows.map((row) => row.outcome)).toEqual(["upstream_timeout"]);
    expect([rows[0]!.inputTokens, rows[0]!.outputTokens]).toEqual([billed.promptTokens, billed.completionTokens]);
    expect(await usageRow(user.id)).toMatchObject({
      requests: 1,
      tokensReserved: 0,
      tokensUsed: billed.promptTokens + billed.completionTokens,
      costMicros: plainCostMicros("gpt-4.1-nano", billed.promptTokens, billed.completionTokens),
    });
    expect(await heldReservations(user.id)).toEqual([]);
  });

  it("a structured answer that times out after it was sent is charged the worst case, not released (issue 18.8)", async () => {
    const user = await newUser();
    const label = tag();
    const result = await summarize(user, { text: `Summarize this please [[fault:hang]] [[tag:${label}]]` });
    expect(result).toMatchObject({ ok: false, error: { code: "upstream_timeout" } });
    expect(fake.stats(label).chat).toBe(1);
    const [row] = await auditRows(user.id);
    const reserved = (row!.details as { reservedTokens: number }).reservedTokens;
    expect(row!.outcome).toBe("upstream_timeout");
    // The semantic cache's embedding call, reserved with it, was billed too.
    const embeddingTokens = (row!.details as { embeddingTokens?: number }).embeddingTokens ?? 0;
    expect(row!.inputTokens + row!.outputTokens).toBe(reserved - embeddingTokens);
    expect(row!.costMicros).toBeGreaterThan(0);
    const usage = await usageRow(user.id);
    expect(usage).toMatchObject({ requests: 1, tokensReserved: 0, tokensUsed: reserved });
    expect(await heldReservations(user.id)).toEqual([]);
  });
});
