import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../support/close-database";

// The semantic cache's measured quality: the labelled pairs of tests/semantic/pairs.json (the
// product's tools: summarize texts and short rewrite texts) through the real lookup on PGlite
// with pgvector and the deterministic demo embedder. Every pair's first text is an entry of one
// scope; every second text is looked up against all of them. No hard negative (another number,
// unit, name, quoted string, negation, antonym, or the same words in another order) may hit,
// and no text may hit another pair's entry, at the default threshold.

const onPGlite = !process.env.DATABASE_URL;

const { getDb } = await import("@/db");
const { semanticCache } = await import("@/db/schema");
const { findSemanticMatch } = await import("@/db/queries/semantic-cache");
const { demoEmbedding } = await import("@/lib/ai/demo-embedding");
const { EMBEDDING_DIMENSIONS } = await import("@/lib/ai/models");
const { normalizeText } = await import("@/lib/guard/steps/cache");
const { lexicalKey } = await import("@/lib/semantic/lexical");
const { DEFAULT_SEMANTIC_THRESHOLD } = await import("@/lib/semantic/cache");
const { cosine, loadPairs } = await import("@/scripts/semantic-eval");

afterAll(async () => {
  if (onPGlite) await closeDatabase(await getDb());
});

describe.runIf(onPGlite)("semantic cache quality on the labelled pairs", () => {
  it("serves no hard negative and no other pair's answer at the default threshold; hits what the eval script predicts", async () => {
    const pairs = loadPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(300);
    const vectors = new Map<string, number[]>();
    const embed = (text: string) => vectors.get(text) ?? vectors.set(text, demoEmbedding(text, EMBEDDING_DIMENSIONS)).get(text)!;
    const scopeKey = `quality-${randomUUID()}`;
    // One insert for all entries (the lookups below are the product's own query, one per pair).
    const db = await getDb();
    await db.insert(semanticCache).values(
      [...new Set(pairs.map((pair) => normalizeText(pair.a)))].map((text) => ({
        scopeKey,
        lexicalKey: lexicalKey(text),
        userId: null,
        feature: "quality",
        model: "gpt-4.1-nano",
        promptVersion: "v1",
        requestId: randomUUID(),
        answer: text,
        embedding: embed(text),
        expiresAt: new Date(Date.now() + 3_600_000),
      })),
    );
    const wrong: string[] = [];
    let right = 0;
    let predicted = 0;
    for (const pair of pairs) {
      const [a, b] = [normalizeText(pair.a), normalizeText(pair.b)];
      const match = await findSemanticMatch({
        scopeKey,
        lexicalKey: lexicalKey(b),
        userId: null,
        vector: embed(b),
        threshold: DEFAULT_SEMANTIC_THRESHOLD,
      });
      if (match && (pair.label === "miss" || match.answer !== a))
        wrong.push(`${pair.id} (${pair.kind}, similarity ${match.similarity.toFixed(3)})`);
      if (match && pair.label === "hit" && match.answer === a) right++;
      // What scripts/semantic-eval.ts counts as a hit for this pair.
      if (pair.label === "hit" && lexicalKey(a) === lexicalKey(b) && cosine(embed(a), embed(b)) >= DEFAULT_SEMANTIC_THRESHOLD) predicted++;
    }
    expect(wrong).toEqual([]);
    expect(right).toBe(predicted);
    // A lookup that never hit would pass the line above: the demo embedder does find these.
    const positives = pairs.filter((pair) => pair.label === "hit").length;
    expect(right / positives).toBeGreaterThan(0.35);
  }, 120_000); // ~360 sequential lookups: a few seconds alone, more on a loaded machine
});
