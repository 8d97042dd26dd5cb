// `npm run semantic:eval [-- --threshold 0.9,0.95] [--embedder demo|openai]`: precision and
// recall of the semantic cache on the labelled pairs in tests/semantic/pairs.json, for an
// embedder and thresholds. The demo embedder by default; OpenAI's (text-embedding-3-small at
// the app's dimensions, through the app's provider) with --embedder openai or when
// OPENAI_API_KEY is set. A pair is predicted a hit when its texts have the same lexical key
// (lib/semantic/lexical.ts) and a cosine similarity at or above the threshold, as the lookup's
// WHERE clause decides. Run with `--conditions react-server` (the provider is server-only).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { demoEmbedding } from "@/lib/ai/demo-embedding";
import { EMBEDDING_DIMENSIONS } from "@/lib/ai/models";
import { normalizeText } from "@/lib/guard/steps/cache";
import { DEFAULT_SEMANTIC_THRESHOLD } from "@/lib/semantic/cache";
import { lexicalKey } from "@/lib/semantic/lexical";

export type LabelledPair = { id: string; tool: string; kind: string; label: "hit" | "miss"; a: string; b: string };

export function loadPairs(): LabelledPair[] {
  const file = path.join(import.meta.dirname, "..", "tests", "semantic", "pairs.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { pairs: LabelledPair[] }).pairs;
}

export const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

export type Scored = LabelledPair & { similarity: number; lexicalMatch: boolean };

async function scorePairs(pairs: LabelledPair[], embed: (texts: string[]) => Promise<number[][]>): Promise<Scored[]> {
  const texts = [...new Set(pairs.flatMap((pair) => [normalizeText(pair.a), normalizeText(pair.b)]))];
  const vectors = new Map<string, number[]>();
  for (let i = 0; i < texts.length; i += 100) {
    const batch = texts.slice(i, i + 100);
    (await embed(batch)).forEach((vector, j) => vectors.set(batch[j]!, vector));
  }
  return pairs.map((pair) => {
    const [a, b] = [normalizeText(pair.a), normalizeText(pair.b)];
    return { ...pair, similarity: cosine(vectors.get(a)!, vectors.get(b)!), lexicalMatch: lexicalKey(a) === lexicalKey(b) };
  });
}

function report(scored: Scored[], thresholds: number[]): void {
  const positives = scored.filter((pair) => pair.label === "hit").length;
  const kinds = [...new Set(scored.filter((pair) => pair.label === "miss").map((pair) => pair.kind))];
  console.log(`${scored.length} pairs: ${positives} should hit, ${scored.length - positives} hard negatives (${kinds.join(", ")})\n`);
  const rows: string[][] = [["threshold", "check", "hits", "right", "wrong", "precision", "recall", "wrong hits by kind"]];
  for (const threshold of thresholds) {
    for (const lexical of [true, false]) {
      const hits = scored.filter((pair) => pair.similarity >= threshold && (!lexical || pair.lexicalMatch));
      const right = hits.filter((pair) => pair.label === "hit").length;
      const wrong = hits.filter((pair) => pair.label === "miss");
      const byKind = kinds.map((kind) => [kind, wrong.filter((pair) => pair.kind === kind).length] as const).filter(([, n]) => n > 0);
      rows.push([
        threshold.toFixed(2),
        lexical ? "lexical + cosine" : "cosine only",
        String(hits.length),
        String(right),
        String(wrong.length),
        hits.length ? (right / hits.length).toFixed(3) : "n/a",
        (right / positives).toFixed(3),
        byKind.map(([kind, n]) => `${kind} ${n}`).join(", ") || "-",
      ]);
    }
  }
  printTable(rows);
  // Where recall goes: per kind of pair that should hit, how many pass the lexical check (the
  // ceiling any embedder can reach) and how many hit at each threshold.
  console.log("\nPairs that should hit, by kind (lexical + cosine):");
  const hitKinds = [...new Set(scored.filter((pair) => pair.label === "hit").map((pair) => pair.kind))];
  const byKind = [["kind", "pairs", "lexical ok", ...thresholds.map((threshold) => `hit@${threshold.toFixed(2)}`)]];
  for (const kind of hitKinds) {
    const ofKind = scored.filter((pair) => pair.label === "hit" && pair.kind === kind);
    const passing = ofKind.filter((pair) => pair.lexicalMatch);
    byKind.push([
      kind,
      String(ofKind.length),
      String(passing.length),
      ...thresholds.map((threshold) => String(passing.filter((pair) => pair.similarity >= threshold).length)),
    ]);
  }
  printTable(byKind);
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
}

async function main() {
  const { values } = parseArgs({
    options: { threshold: { type: "string", default: "0.80,0.85,0.90,0.93,0.95,0.97" }, embedder: { type: "string" } },
  });
  const thresholds = values.threshold.split(",").map(Number);
  const embedder = values.embedder ?? (process.env.OPENAI_API_KEY ? "openai" : "demo");
  let embed: (texts: string[]) => Promise<number[][]>;
  if (embedder === "openai") {
    const { createOpenAIProvider } = await import("@/lib/ai/openai-provider");
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) throw new Error("--embedder openai needs OPENAI_API_KEY");
    const provider = createOpenAIProvider({ apiKey, baseURL: process.env.OPENAI_BASE_URL, timeoutMs: 60_000 });
    const signal = new AbortController().signal;
    embed = (texts) => Promise.all(texts.map(async (text) => (await provider.embed(text, signal)).vector));
  } else {
    embed = async (texts) => texts.map((text) => demoEmbedding(text, EMBEDDING_DIMENSIONS));
  }
  console.log(
    `Embedder: ${embedder === "openai" ? `OpenAI text-embedding-3-small, ${EMBEDDING_DIMENSIONS} dimensions` : "demo (hashed word, word-pair and trigram features)"}`,
  );
  const scored = await scorePairs(loadPairs(), embed);
  report(scored, thresholds);
  // The gate (CI runs this): at the threshold the app uses by default, with the lexical check
  // the lookup applies, no pair labelled "miss" may be predicted a hit. A wrong hit serves one
  // question's stored answer to another: that must fail the run, not just be printed.
  const wrong = wrongHits(scored, DEFAULT_SEMANTIC_THRESHOLD);
  if (wrong.length > 0) {
    console.error(`\nFAIL: ${wrong.length} wrong hit(s) at the default threshold ${DEFAULT_SEMANTIC_THRESHOLD}:`);
    for (const pair of wrong)
      console.error(`  ${pair.id} (${pair.kind}, similarity ${pair.similarity.toFixed(3)}): "${pair.a}" ~ "${pair.b}"`);
    process.exitCode = 1;
  } else {
    console.log(`\nOK: no wrong hit at the default threshold ${DEFAULT_SEMANTIC_THRESHOLD}.`);
  }
}

/** Pairs labelled "miss" that the lookup would serve as a hit at `threshold` (lexical key and cosine). */
export function wrongHits<T extends Scored>(scored: T[], threshold: number): T[] {
  return scored.filter((pair) => pair.label === "miss" && pair.lexicalMatch && pair.similarity >= threshold);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
