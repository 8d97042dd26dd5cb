import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, chat, heldReservations, newUser, tag, usageRow } from "../support/guard-harness";

// Streams end: an upstream that trickles (never silent long enough for the idle timeout) is
// cut at the chat stream's total deadline, below the route's maxDuration, and charged for
// what it generated, like any answer cut after the upstream answered.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI();
Object.assign(process.env, {
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  OPENAI_TIMEOUT_MS: "2000", // idle timeout: the trickle (a word every 100 ms) never reaches it
  CHAT_STREAM_DEADLINE_MS: "4000",
  AUTH_SECRET: "integration-test-secret",
});

const { getDb } = await import("@/db");
// Opened (and migrated) while the file loads, so the first test does not pay for it.
await getDb();
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { countTextTokens } = await import("@/lib/ai/tokens");
const route = await import("@/app/api/chat/route");
const { parseEnv } = await import("@/lib/env");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe("the chat stream's total deadline", () => {
  it("is below the route's maxDuration: by default, and at most 290 s whatever the environment says", () => {
    expect(route.maxDuration).toBe(300);
    // Figures written here, not read from lib/env.ts: raising the default or the cap past the
    // route's 300 s must fail this test.
    expect(parseEnv({}).CHAT_STREAM_DEADLINE_MS).toBe(240_000);
    expect(parseEnv({ CHAT_STREAM_DEADLINE_MS: "290000" }).CHAT_STREAM_DEADLINE_MS).toBe(290_000);
    expect(() => parseEnv({ CHAT_STREAM_DEADLINE_MS: "290001" })).toThrow(/CHAT_STREAM_DEADLINE_MS/);
    expect(() => parseEnv({ CHAT_STREAM_DEADLINE_MS: "300000" })).toThrow(/CHAT_STREAM_DEADLINE_MS/);
  });

  it("cuts a trickling upstream at the deadline with a clear error, charges what was generated, one audit row", async () => {
    const user = await newUser();
    const label = tag();
    const call = await chat(user, { message: `Go on forever [[fault:trickle]] [[tag:${label}]]`, token: issueRequestToken(user.id) });
    await call.settled;
    const error = call.events.find((event) => event.type === "error")?.error as { code: string; message: string };
    expect(error).toMatchObject({ code: "upstream_timeout" });
    expect(error.message).toContain("4-second limit");
    expect(error.message).not.toMatch(/nothing was charged/i);
    await expect.poll(() => fake.stats(label).aborts).toBe(1);
    const received = call.events
      .filter((event) => event.type === "text")
      .map((event) => event.text)
      .join("");
    expect(received.length).toBeGreaterThan(0);
    const [row, ...more] = await auditRows(user.id);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({
      outcome: "upstream_timeout",
      inputTokens: fake.stats(label).billed.promptTokens,
      outputTokens: countTextTokens(received),
    });
    expect(row!.details).toMatchObject({ partial: true });
    expect(await usageRow(user.id)).toMatchObject({ requests: 1, tokensReserved: 0, tokensUsed: row!.inputTokens + row!.outputTokens });
    expect(await heldReservations(user.id)).toEqual([]);
  });
});
