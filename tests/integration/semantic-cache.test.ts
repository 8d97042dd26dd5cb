import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, newUser, plainCostMicros, runAction, summarize, tag, usageRow } from "../support/guard-harness";
import { session, type TestUser } from "../support/session-mock";

// The semantic cache end to end through the structured tool (the guard, the fake OpenAI's
// /v1/embeddings over HTTP, pgvector in PGlite): what may hit, what must never hit, and what
// each lookup costs. Its tests run on PGlite, which has pgvector; with DATABASE_URL (CI's
// PostgreSQL 15, no pgvector) semantic-cache-off.test.ts checks the cache switches itself off.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const onPGlite = !process.env.DATABASE_URL;
const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
const { semanticCache } = await import("@/db/schema");
const { defineAIFeature } = await import("@/lib/guard/feature");
const { modelFor } = await import("@/lib/ai/models");
const { embeddingCostMicros } = await import("@/lib/ai/usage");
const { sweepSemanticCache } = await import("@/db/queries/semantic-cache");
const { SUMMARIZE_PROMPT } = await import("@/lib/ai/prompts");
const { deleteUser } = await import("@/db/queries/billing");
const { z } = await import("zod");
const { eq, sql } = await import("drizzle-orm");
// Start the database (PGlite: its vector extension and every migration) while the file loads,
// not inside the first test's 30 s: on a loaded 2-core machine that start alone took 40 s.
await getDb();

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

beforeEach(() => {
  session.user = null;
});

const summarySchema = z.strictObject({
  title: z.string().min(1).max(200),
  bullets: z.array(z.string().min(1).max(500)).min(1).max(8),
  sentiment: z.enum(["positive", "neutral", "negative"]),
});

/**
 * The structured tool's definition (lib/tools/summarize.ts) with changes: another threshold,
 * scope, prompt version, system prompt or output schema (`format: "v2"`: another output shape).
 */
const withFeature = (
  changes: {
    semanticCache?: { threshold?: number };
    cache?: "user" | "shared";
    promptVersion?: string;
    system?: string;
    format?: string;
  } = {},
) =>
  defineAIFeature({
    name: "summarize",
    input: z.strictObject({ text: z.string().trim().min(1).max(200_000), model: z.string().max(64).optional() }),
    cache: changes.cache ?? "user",
    semanticCache: changes.semanticCache ?? { threshold: 0.95 },
    prompt: { version: changes.promptVersion ?? SUMMARIZE_PROMPT.version, system: changes.system ?? SUMMARIZE_PROMPT.system },
    model: (input, plan) => input.model || modelFor(plan),
    buildMessages: (input) => [{ role: "user", content: input.text }],
    output: { type: "json", schema: changes.format ? summarySchema.extend({ title: z.string().min(1).max(199) }) : summarySchema },
    demoAnswer: () => ({ title: "demo", bullets: ["demo"], sentiment: "neutral" as const }),
  });
type Feature = ReturnType<typeof withFeature>;
const summarizeFeature = withFeature();

/** The structured tool with a variant of its definition. */
const summarizeWith = (feature: Feature, user: TestUser, text: string, extra: Record<string, string> = {}) =>
  runAction(feature, user, { text, ...extra });
/** Threshold 0: any entry in scope with the same lexical key would hit; only the scope can stop it. */
const anyInScope = (changes: Parameters<typeof withFeature>[0] = {}) => withFeature({ semanticCache: { threshold: 0 }, ...changes });

type Details = {
  cache?: string;
  similarity?: number;
  embeddingTokens?: number;
  semanticHit?: boolean;
  reservedTokens: number;
  semanticEntryId?: number;
};
const lastAudit = async (user: TestUser) => (await auditRows(user.id)).at(-1)!;

describe.runIf(onPGlite)("semantic cache", () => {
  it("serves a near-identical request from the same user, charging only the embedding; audits both", async () => {
    const user = await newUser();
    const label = tag();
    const text = `Our team closed 340 tickets in March and customers were happy with the new widget. [[tag:${label}]]`;
    const first = await summarize(user, { text });
    expect(first).toMatchObject({ ok: true, data: { cacheHit: false } });
    const afterMiss = fake.stats(label);
    expect([afterMiss.chat, afterMiss.embeddings]).toEqual([1, 1]);
    const miss = await lastAudit(user);
    const missDetails = miss.details as Details;
    expect(missDetails).toMatchObject({ embeddingTokens: afterMiss.billed.embeddingTokens, semanticHit: false });
    expect(missDetails.cache).toBeUndefined();
    expect(miss.costMicros).toBe(
      plainCostMicros("gpt-4.1-nano", afterMiss.billed.promptTokens, afterMiss.billed.completionTokens) +
        embeddingCostMicros(afterMiss.billed.embeddingTokens),
    );
    // The reservation held the embedding's worst case besides the model's.
    expect(missDetails.reservedTokens).toBeGreaterThanOrEqual(miss.inputTokens + miss.outputTokens + afterMiss.billed.embeddingTokens);
    const usageAfterMiss = await usageRow(user.id);
    expect(usageAfterMiss.tokensUsed).toBe(
      afterMiss.billed.promptTokens + afterMiss.billed.completionTokens + afterMiss.billed.embeddingTokens,
    );

    // Another text for the exact cache (one word more), the same request otherwise.
    const second = await summarize(user, { text: text.replace("and customers", "and the customers") });
    expect(second).toMatchObject({ ok: true, data: { cacheHit: true, answer: (first as { data: { answer: unknown } }).data.answer } });
    const afterHit = fake.stats(label);
    expect([afterHit.chat, afterHit.embeddings]).toEqual([1, 2]);
    const embeddingTokens = afterHit.billed.embeddingTokens - afterMiss.billed.embeddingTokens;
    const hit = await lastAudit(user);
    expect(hit).toMatchObject({
      outcome: "served",
      cacheHit: true,
      inputTokens: 0,
      outputTokens: 0,
      costMicros: embeddingCostMicros(embeddingTokens),
    });
    const hitDetails = hit.details as Details;
    expect(hitDetails).toMatchObject({ cache: "semantic", semanticHit: true, embeddingTokens });
    expect(hitDetails.similarity).toBeGreaterThanOrEqual(0.95);
    expect(hitDetails.similarity).toBeLessThan(1);
    const usage = await usageRow(user.id);
    expect(usage).toMatchObject({ requests: 2, tokensReserved: 0, tokensUsed: usageAfterMiss.tokensUsed + embeddingTokens });
  });

  it("looks up the exact cache first: an identical request makes no embedding call", async () => {
    const user = await newUser();
    const label = tag();
    const text = `The hotel includes breakfast and is 2 km from the beach. [[tag:${label}]]`;
    await summarize(user, { text });
    expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: true } });
    expect(fake.stats(label)).toMatchObject({ chat: 1, embeddings: 1 });
    const details = (await lastAudit(user)).details as Details;
    expect(details.cache).toBe("exact");
    expect(details.embeddingTokens).toBeUndefined();
  });

  it("never serves one user's entry to another, even for the identical text at threshold 0", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const label = tag();
    const text = `Please refund order 1042 for Maria, she was not happy. [[tag:${label}]]`;
    expect(await summarizeWith(anyInScope(), alice, text)).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(await summarizeWith(anyInScope(), bob, text)).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(fake.stats(label)).toMatchObject({ chat: 2, embeddings: 2 });
    // The control: at threshold 0 Alice's own, quite different, request with the same lexical key hits.
    const other = `Kindly refund order 1042 for Maria quickly; she was not happy at all. [[tag:${label}]]`;
    expect(await summarizeWith(anyInScope(), alice, other)).toMatchObject({ ok: true, data: { cacheHit: true } });
    expect(fake.stats(label).chat).toBe(2);
  });

  it("shares entries across users only for a feature declared shared, and never with the per-user scope", async () => {
    const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
    const label = tag();
    const shared = withFeature({ cache: "shared" });
    const text = `The museum in Amsterdam shows 40 paintings by Rembrandt from March. [[tag:${label}]]`;
    expect(await summarizeWith(shared, alice, text)).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(await summarizeWith(shared, bob, text.replace("March.", "March!"))).toMatchObject({ ok: true, data: { cacheHit: true } });
    // The per-user feature never reads shared entries.
    expect(await summarizeWith(anyInScope(), carol, text.replace("March.", "March!"))).toMatchObject({
      ok: true,
      data: { cacheHit: false },
    });
    expect(fake.stats(label).chat).toBe(2);
    const [entry] = await (
      await getDb()
    )
      .select()
      .from(semanticCache)
      .where(sql`${semanticCache.answer} like ${"%Amsterdam%"} and ${semanticCache.userId} is null`);
    expect(entry).toBeDefined();
  });

  it("never hits across a changed prompt version, system prompt, model or parameters, even at threshold 0", async () => {
    const user = await newUser({ plan: "pro" });
    const label = tag();
    const text = `Tesla delivered 435,000 vehicles in the quarter. [[tag:${label}]]`;
    expect(await summarizeWith(anyInScope(), user, text)).toMatchObject({ ok: true, data: { cacheHit: false } });
    const variant = text.replace("quarter.", "quarter!");
    // A new prompt version; other parameters; a system prompt edited without a new version.
    for (const feature of [
      anyInScope({ promptVersion: "summarize-v2" }),
      anyInScope({ format: "v2" }),
      anyInScope({ system: "Summarize in French." }),
    ]) {
      expect(await summarizeWith(feature, user, variant)).toMatchObject({ ok: true, data: { cacheHit: false } });
    }
    const otherModel = await summarizeWith(anyInScope(), user, variant, { model: "gpt-4.1-nano" });
    expect(otherModel).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(fake.stats(label).chat).toBe(5);
    // The control: the unchanged feature hits.
    expect(await summarizeWith(anyInScope(), user, variant)).toMatchObject({ ok: true, data: { cacheHit: true } });
  });

  it("needs the same numbers, negations and names: a near-identical text that differs in one is a miss", async () => {
    const user = await newUser();
    const label = tag();
    const base = `The board approved the hiring plan for the Berlin office with 12 new roles. [[tag:${label}]]`;
    await summarize(user, { text: base });
    for (const changed of [base.replace("12", "21"), base.replace("approved", "did not approve"), base.replace("Berlin", "Munich")]) {
      expect(await summarize(user, { text: changed }), changed).toMatchObject({ ok: true, data: { cacheHit: false } });
    }
    expect(fake.stats(label).chat).toBe(4);
  });

  it("never serves an expired entry; housekeeping deletes expired entries and old prompt versions", async () => {
    const user = await newUser();
    const label = tag();
    const text = `The lease for the Denver warehouse ends on June 30. [[tag:${label}]]`;
    await summarize(user, { text });
    await summarizeWith(anyInScope({ promptVersion: "summarize-v0" }), user, `Old prompt entry [[tag:${label}]]`);
    const db = await getDb();
    const mine = () => db.select().from(semanticCache).where(eq(semanticCache.userId, user.id));
    expect(await mine()).toHaveLength(2);
    await db.execute(
      sql`update semantic_cache set expires_at = now() - interval '1 second' where user_id = ${user.id} and prompt_version = ${SUMMARIZE_PROMPT.version}`,
    );
    expect(await summarize(user, { text: text.replace("30.", "30!") })).toMatchObject({ ok: true, data: { cacheHit: false } });
    // The miss stored a fresh entry; the sweep removes the expired one and the old version's.
    expect(await sweepSemanticCache({ summarize: SUMMARIZE_PROMPT.version })).toBeGreaterThanOrEqual(2);
    const left = await mine();
    expect(left.map((entry) => entry.promptVersion)).toEqual([SUMMARIZE_PROMPT.version]);
    expect(left[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("evicts an entry on a thumbs-down, whether on the answer it stored or on an answer served from it", async () => {
    const { sendFeedbackAction } = await import("@/components/chat/feedback-action");
    const user = await newUser();
    const label = tag();
    const text = `Set the oven to 200 degrees and do not open the door. [[tag:${label}]]`;
    const vote = async (requestId: string) => {
      session.user = user;
      const form = new FormData();
      form.set("requestId", requestId);
      form.set("rating", "down");
      return sendFeedbackAction(null, form);
    };
    const db = await getDb();
    const entries = () => db.select().from(semanticCache).where(eq(semanticCache.userId, user.id));

    const stored = await summarizeWith(summarizeFeature, user, text);
    expect(await summarizeWith(summarizeFeature, user, text.replace("door.", "door!"))).toMatchObject({ data: { cacheHit: true } });
    const servedFrom = (await lastAudit(user)).requestId;
    expect(await entries()).toHaveLength(1);
    expect(await vote(servedFrom)).toMatchObject({ ok: true });
    expect(await entries()).toHaveLength(0);

    // Stored again by the next miss; a thumbs-down on that answer itself evicts it too.
    const again = await summarizeWith(summarizeFeature, user, text.replace("door.", "door!!"));
    expect(again).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(await entries()).toHaveLength(1);
    expect(await vote((again as { requestId: string }).requestId)).toMatchObject({ ok: true });
    expect(await entries()).toHaveLength(0);
    expect(stored).toMatchObject({ ok: true });
  });

  it("a thumbs-down on an exact hit evicts the answer from both caches: the same text goes to the model again", async () => {
    const { sendFeedbackAction } = await import("@/components/chat/feedback-action");
    const user = await newUser();
    const label = tag();
    const text = `The printer on floor 3 is working again. [[tag:${label}]]`;
    await summarize(user, { text });
    expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: true } });
    session.user = user;
    const form = new FormData();
    form.set("requestId", (await lastAudit(user)).requestId);
    form.set("rating", "down");
    expect(await sendFeedbackAction(null, form)).toMatchObject({ ok: true });
    const db = await getDb();
    expect(await db.select().from(semanticCache).where(eq(semanticCache.userId, user.id))).toHaveLength(0);
    expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: false } });
    expect(fake.stats(label).chat).toBe(2);
  });

  it("another user's thumbs-down cannot evict an entry", async () => {
    const { sendFeedbackAction } = await import("@/components/chat/feedback-action");
    const [alice, mallory] = [await newUser(), await newUser()];
    const label = tag();
    const result = await summarizeWith(summarizeFeature, alice, `Buy 6 apples and 2 bottles of Evian water. [[tag:${label}]]`);
    session.user = mallory;
    const form = new FormData();
    form.set("requestId", (result as { requestId: string }).requestId);
    form.set("rating", "down");
    expect(await sendFeedbackAction(null, form)).toMatchObject({ ok: false });
    const db = await getDb();
    expect(await db.select().from(semanticCache).where(eq(semanticCache.userId, alice.id))).toHaveLength(1);
  });

  it("a failed embedding call is a miss: the model answers, nothing is stored, no embedding tokens are charged", async () => {
    const user = await newUser();
    const label = tag();
    const result = await summarize(user, { text: `Drive 20 miles north [[embed-fault:500]] [[tag:${label}]]` });
    expect(result).toMatchObject({ ok: true, data: { cacheHit: false } });
    const stats = fake.stats(label);
    expect(stats.chat).toBe(1);
    expect(await usageRow(user.id)).toMatchObject({
      requests: 1,
      tokensReserved: 0,
      tokensUsed: stats.billed.promptTokens + stats.billed.completionTokens,
    });
    expect((await lastAudit(user)).details).toMatchObject({ embeddingTokens: 0, semanticHit: false });
    const db = await getDb();
    expect(await db.select().from(semanticCache).where(eq(semanticCache.userId, user.id))).toHaveLength(0);
  });

  it("deletes a user's entries with the user", async () => {
    const user = await newUser();
    await summarize(user, { text: `Tell Anna the deadline moved to March 3. [[tag:${tag()}]]` });
    const db = await getDb();
    expect(await db.select().from(semanticCache).where(eq(semanticCache.userId, user.id))).toHaveLength(1);
    await deleteUser(user.id);
    expect(await db.select().from(semanticCache).where(eq(semanticCache.userId, user.id))).toHaveLength(0);
  });
});
