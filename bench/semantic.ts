// `npm run bench:semantic`: what a semantic cache lookup adds to a request on an exact miss:
// one embedding call (the openai SDK over HTTP to the fake OpenAI server) and one indexed
// pgvector query, timed through the app's own lookup (lib/semantic/cache.ts) on an embedded
// PGlite with pgvector, with ENTRIES entries of other users in the table. Prints p50/p99 for
// a lookup that misses and one that hits, and writes bench/results/semantic.json. The main
// bench (`npm run bench`) runs on PostgreSQL without pgvector, so it cannot show these; its
// harness can call `measureSemanticLookup()` instead. Not a test: nothing here asserts a time.
// Run with `--conditions react-server` (the app's modules are server-only).
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import type { AiFeature } from "@/lib/guard/context";
import { startFakeOpenAI } from "../tests/fakes/openai-server";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const summary = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), n: values.length });
const round = (value: number) => Math.round(value * 1000) / 1000;

export type SemanticLookupFigures = {
  entries: number;
  /** Milliseconds the lookup adds on an exact miss: embedding call + query, finding nothing. */
  miss: ReturnType<typeof summary>;
  /** The same when it finds a stored answer. */
  hit: ReturnType<typeof summary>;
  /** The embedding call alone (HTTP to the fake), for the split. */
  embedding: ReturnType<typeof summary>;
};

export async function measureSemanticLookup(options: { rounds?: number; entries?: number } = {}): Promise<SemanticLookupFigures> {
  const rounds = options.rounds ?? 200;
  const entries = options.entries ?? 2000;
  const fake = await startFakeOpenAI();
  Object.assign(process.env, { OPENAI_API_KEY: "bench-key", OPENAI_BASE_URL: fake.url, PGLITE_DIR: "memory://", DATABASE_URL: "" });
  try {
    const { getDb } = await import("@/db");
    const { users } = await import("@/db/schema");
    const { insertSemanticEntry } = await import("@/db/queries/semantic-cache");
    const { demoEmbedding } = await import("@/lib/ai/demo-embedding");
    const { openAIServices } = await import("@/lib/ai/provider");
    const { createGuardContext } = await import("@/lib/guard/context");
    const { lexicalKey } = await import("@/lib/semantic/lexical");
    const { lookupSemanticCache, semanticCacheReady, storeInSemanticCache } = await import("@/lib/semantic/cache");
    const { SUMMARIZE_PROMPT } = await import("@/lib/ai/prompts");
    const { PLANS } = await import("@/lib/plans");
    const db = await getDb();
    if (!(await semanticCacheReady())) throw new Error("PGlite without pgvector: nothing to measure");

    // Other users' entries: the table the query's indexes search.
    const owners = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), email: `bench-semantic-${i}@example.com` }));
    await db.insert(users).values(owners);
    for (let i = 0; i < entries; i++) {
      const text = `Quarterly note ${i}: the team in office ${i % 37} shipped ${i * 7} units and hired ${i % 11} people.`;
      await insertSemanticEntry({
        scopeKey: `other-${i % 50}`,
        lexicalKey: lexicalKey(text),
        userId: owners[i % 50]!.id,
        feature: "summarize",
        model: "gpt-4.1-nano",
        promptVersion: "summarize-v1",
        requestId: randomUUID(),
        answer: JSON.stringify({ title: text.slice(0, 40), bullets: [text], sentiment: "neutral" }),
        vector: demoEmbedding(text, 256),
        ttlSeconds: 3600,
      });
    }

    const user = { id: owners[0]!.id, email: owners[0]!.email, name: null, role: "user" as const, hasPassword: true, emailVerified: true };
    const plan = PLANS.free;
    // A single-turn structured feature with the semantic cache, as the summarize tool is.
    const feature = { name: "summarize", cache: "user", semanticCache: { threshold: 0.95 } } as AiFeature;
    const contextFor = async (text: string) => {
      const ctx = createGuardContext({ feature, raw: {}, headers: new Headers(), signal: new AbortController().signal, defer: () => {} });
      ctx.user = user;
      ctx.plan = plan;
      ctx.input = {
        userText: text,
        messages: [
          { role: "system", content: SUMMARIZE_PROMPT.system },
          { role: "user", content: text },
        ],
        model: "gpt-4.1-nano",
        promptVersion: SUMMARIZE_PROMPT.version,
        cacheParams: { maxOutputTokens: plan.maxOutputTokens, output: "summary" },
        extra: {},
      };
      ctx.semanticCache = { reservedTokens: 100, tokens: 0 };
      return ctx;
    };
    const stored = "The support team closed 340 tickets in March and customers were happy with the new chat widget.";
    const seed = await contextFor(stored);
    await lookupSemanticCache(seed);
    await storeInSemanticCache(seed, JSON.stringify({ title: "Support", bullets: ["340 tickets"], sentiment: "positive" }));

    const time = async (text: string, expectHit: boolean) => {
      const ctx = await contextFor(text);
      const started = performance.now();
      const answer = await lookupSemanticCache(ctx);
      const elapsed = performance.now() - started;
      if ((answer !== undefined) !== expectHit) throw new Error(`expected a ${expectHit ? "hit" : "miss"} for: ${text}`);
      return elapsed;
    };
    const miss: number[] = [];
    const hit: number[] = [];
    const embedding: number[] = [];
    for (let i = 0; i < rounds; i++) {
      miss.push(await time(`The support team closed ${1000 + i} tickets in April and customers were unhappy.`, false));
      hit.push(await time(stored.replace("and customers", i % 2 ? "and the customers" : "and all customers"), true));
      const started = performance.now();
      await openAIServices()!.embed(`Embedding round ${i} of the support note.`, new AbortController().signal);
      embedding.push(performance.now() - started);
    }
    return { entries: entries + 1, miss: summary(miss), hit: summary(hit), embedding: summary(embedding) };
  } finally {
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureSemanticLookup({ rounds: Number(process.env.BENCH_ROUNDS ?? 200) });
  console.log(`Semantic cache lookup on an exact miss (PGlite + pgvector, ${figures.entries} entries, fake OpenAI over HTTP), ms:`);
  console.log(`  lookup that misses  p50 ${figures.miss.p50}  p99 ${figures.miss.p99}`);
  console.log(`  lookup that hits    p50 ${figures.hit.p50}  p99 ${figures.hit.p99}`);
  console.log(`  of which embedding  p50 ${figures.embedding.p50}  p99 ${figures.embedding.p99}`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/semantic.json", `${JSON.stringify({ measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
  process.exit(0);
}
