import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, plainCostMicros, newUser, summarize, tag, usageRow } from "../support/guard-harness";

// An embedding call sent and never answered was charged nothing, although the provider ran and
// billed it (found by the strict fake). Its own file: the short upstream timeout is this file's.
// The semantic cache needs pgvector: PGlite has it, CI's PostgreSQL does not.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, {
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: fake.url,
  AUTH_SECRET: "integration-test-secret",
  OPENAI_TIMEOUT_MS: "1500",
});

const { getDb } = await import("@/db");
await getDb();
const { embeddingCostMicros } = await import("@/lib/ai/usage");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe.skipIf(Boolean(process.env.DATABASE_URL))("an embedding call that times out after it was sent", () => {
  it("is charged what the provider billed for it; the model still answers", async () => {
    const user = await newUser();
    const label = tag();
    const result = await summarize(user, { text: `Walk 3 miles east [[embed-fault:hang]] [[tag:${label}]]` });
    expect(result).toMatchObject({ ok: true, data: { cacheHit: false } });
    const stats = fake.stats(label);
    expect(stats.embeddings).toBe(1);
    expect(stats.billed.embeddingTokens).toBeGreaterThan(0);
    const [row] = await auditRows(user.id);
    expect(row!.details).toMatchObject({ embeddingTokens: stats.billed.embeddingTokens });
    expect(await usageRow(user.id)).toMatchObject({
      requests: 1,
      tokensReserved: 0,
      tokensUsed: stats.billed.promptTokens + stats.billed.completionTokens + stats.billed.embeddingTokens,
      costMicros:
        plainCostMicros(row!.model!, stats.billed.promptTokens, stats.billed.completionTokens) +
        embeddingCostMicros(stats.billed.embeddingTokens),
    });
  });
});
