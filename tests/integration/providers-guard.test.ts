import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server";
import { startFakeGemini } from "../fakes/gemini-server";
import { startFakeOpenAI } from "../fakes/openai-server";
import type { ProviderStats } from "../fakes/provider-fake";
import { closeDatabase } from "../support/close-database";
import { auditRows, chat, heldReservations, message, newUser, tag, usageRow } from "../support/guard-harness";

// The guard's accounting, the same assertions for every provider adapter, each against its
// strict fake through its real SDK: a served reply is charged exactly what the fake billed and
// never more than was reserved; a 429 or a 500 before any answer releases the reservation; a
// stream cut mid-answer is charged. Parametrized (describe.each), never copied per provider.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const openai = await startFakeOpenAI({ wordDelayMs: 1 });
const anthropic = await startFakeAnthropic({ wordDelayMs: 1 });
const gemini = await startFakeGemini({ wordDelayMs: 1 });
Object.assign(process.env, {
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: openai.url,
  ANTHROPIC_API_KEY: "test-key",
  ANTHROPIC_BASE_URL: anthropic.url,
  GEMINI_API_KEY: "test-key",
  GEMINI_BASE_URL: gemini.url,
  OPENAI_TIMEOUT_MS: "2000",
  AUTH_SECRET: "integration-test-secret",
  MODERATION: "off",
});

const { getDb } = await import("@/db");
const { issueRequestToken } = await import("@/lib/guard/request-token");
await getDb();
const { PLANS } = await import("@/lib/plans");
const usage = await import("@/lib/ai/usage");

afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  await closeDatabase(await getDb());
});

/** What each fake billed, read as that provider's usage object and mapped by the product's own mapper. */
const fromProviderStats = {
  anthropic: (billed: ProviderStats["billed"]) =>
    usage.fromAnthropicUsage({
      input_tokens: billed.inputTokens,
      cache_read_input_tokens: billed.cacheReadTokens,
      cache_creation_input_tokens: billed.cacheWriteTokens,
      output_tokens: billed.outputTokens,
    }),
  gemini: (billed: ProviderStats["billed"]) =>
    usage.fromGeminiUsage({
      promptTokenCount: billed.inputTokens + billed.cacheReadTokens,
      cachedContentTokenCount: billed.cacheReadTokens,
      candidatesTokenCount: billed.outputTokens - billed.reasoningTokens,
      thoughtsTokenCount: billed.reasoningTokens,
    }),
};

const PROVIDERS = [
  { name: "anthropic", model: "claude-haiku-4-5", billed: (label: string) => fromProviderStats.anthropic(anthropic.stats(label).billed) },
  { name: "gemini", model: "gemini-2.5-flash", billed: (label: string) => fromProviderStats.gemini(gemini.stats(label).billed) },
  {
    name: "openai",
    model: "gpt-4.1-mini",
    billed: (label: string) => {
      const billed = openai.stats(label).billed;
      return usage.fromChatCompletionsUsage({
        prompt_tokens: billed.promptTokens,
        completion_tokens: billed.completionTokens,
        prompt_tokens_details: { cached_tokens: billed.cachedTokens },
        completion_tokens_details: { reasoning_tokens: billed.reasoningTokens },
      });
    },
  },
] as const;

describe.each(PROVIDERS)("the guard's accounting through the $name adapter", ({ model, billed }) => {
  const plan = PLANS.free as { models: readonly string[] };
  const original = plan.models;
  beforeAll(() => {
    // The free plan's model (modelFor: the last one listed) is this provider's.
    plan.models = [model];
    return () => {
      plan.models = original;
    };
  });

  async function send(extra = "") {
    const user = await newUser();
    const label = tag();
    const call = await chat(user, { message: message(label, extra), token: issueRequestToken(user.id) });
    await call.settled;
    return { user, label, call };
  }

  it("a served reply is charged exactly what the fake billed, and no more than was reserved", async () => {
    const { user, label, call } = await send("[[words:20]]");
    expect(call.status).toBe(200);
    expect(call.events.at(-1)).toMatchObject({ type: "done" });
    const expected = billed(label);
    expect(usage.inputTokensOf(expected)).toBeGreaterThan(0);
    expect(await usageRow(user.id)).toMatchObject({
      requests: 1,
      tokensReserved: 0,
      tokensUsed: usage.inputTokensOf(expected) + usage.outputTokensOf(expected),
      costMicros: usage.usageCostMicros(model, expected),
    });
    const [row] = await auditRows(user.id);
    expect(row).toMatchObject({
      outcome: "served",
      inputTokens: usage.inputTokensOf(expected),
      outputTokens: usage.outputTokensOf(expected),
    });
    expect(row!.inputTokens + row!.outputTokens).toBeLessThanOrEqual((row!.details as { reservedTokens: number }).reservedTokens);
    expect(await heldReservations(user.id)).toEqual([]);
  });

  it.each(["429", "500"])("a %s before any answer: a clear error, the reservation released, nothing charged", async (fault) => {
    const { user, call } = await send(`[[fault:${fault}]]`);
    const code = fault === "429" ? "upstream_rate_limited" : "upstream_error";
    const error = (call.body?.error ?? call.events.find((event) => event.type === "error")?.error) as { code: string };
    expect(error.code).toBe(code);
    expect(await heldReservations(user.id)).toEqual([]);
    expect(await usageRow(user.id)).toMatchObject({ tokensUsed: 0, tokensReserved: 0, costMicros: 0 });
    expect((await auditRows(user.id)).map((row) => row.outcome)).toEqual([code]);
  });

  it("a stream cut mid-answer is charged (input and what was generated), never left reserved", async () => {
    const { user, call } = await send("[[fault:cut]] [[words:40]]");
    expect(call.events.at(-1)).toMatchObject({ type: "error" });
    expect(await heldReservations(user.id)).toEqual([]);
    const row = await usageRow(user.id);
    expect(row.tokensReserved).toBe(0);
    const [audit] = await auditRows(user.id);
    const reserved = (audit!.details as { reservedTokens: number }).reservedTokens;
    // OpenAI's text is counted with its own tokenizer; the others publish none (and think
    // unseen): without their usage report, the reserved worst case is charged.
    if (model.startsWith("gpt-")) expect(row.tokensUsed).toBeGreaterThan(0);
    else expect(row.tokensUsed).toBe(reserved);
    expect(row.tokensUsed).toBeLessThanOrEqual(reserved);
  });
});
