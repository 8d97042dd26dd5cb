// The console bench's section of BENCHMARKS.md, between markers: `npm run bench:console` writes it
// from its run, and `npm run bench` (which writes the rest of the file whole) keeps it from
// bench/results/console.json, so neither run erases the other's figures.
import { readFileSync } from "node:fs";

export type ConsoleTiming = { p50: number; p95: number };
export type ConsoleBenchResults = {
  rows: number;
  users: number;
  runs: number;
  auditLogSize: string;
  insertMs: { withTrigger: number; withoutTrigger: number };
  results: Record<string, { page: ConsoleTiming; queries: Record<string, ConsoleTiming> }>;
  at: string;
  /** os.loadavg() when the timings began and ended (a shared machine: other work slows every figure). */
  loadAverage?: { start: number[]; end: number[] };
};

const START = "<!-- console bench (npm run bench:console): written from bench/results/console.json -->";
const END = "<!-- /console bench -->";

export function readConsoleResults(path = "bench/results/console.json"): ConsoleBenchResults | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as ConsoleBenchResults;
    // Runs before p95 was measured stored one number per query: not this section's shape.
    return typeof Object.values(parsed.results)[0]?.page === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function section(run: ConsoleBenchResults): string {
  const rows = Object.entries(run.results).flatMap(([page, { page: whole, queries }]) => [
    `| **${page}** (page) | **${whole.p50}** | **${whole.p95}** |`,
    ...Object.entries(queries).map(([name, t]) => `| ${page}: ${name} | ${t.p50} | ${t.p95} |`),
  ]);
  return [
    START,
    "## Operator console at scale",
    "",
    `\`npm run bench:console\` (${run.at}): ${run.rows.toLocaleString("en-US")} audit rows over 30 days (${run.auditLogSize}),`,
    `${run.users.toLocaleString("en-US")} users, in a scratch PostgreSQL database it creates and drops; each query through the app's own`,
    `function, ${run.runs} times after one warm-up. A page's figure is its queries run together, as the page runs them (the abuse`,
    "view runs one grouping and window per request: its figure is the slowest one's). One audit insert costs",
    `${run.insertMs.withTrigger.toFixed(2)} ms with the daily-rollup trigger, ${run.insertMs.withoutTrigger.toFixed(2)} ms without.`,
    run.loadAverage
      ? `Load average ${run.loadAverage.start.join(", ")} when the timings began, ${run.loadAverage.end.join(", ")} when they ended (other work on the machine slows every figure alike).`
      : "The machine is shared: other work running at the same time slows every figure alike.",
    "",
    "| view: query | p50 ms | p95 ms |",
    "| --- | ---: | ---: |",
    ...rows,
    END,
  ].join("\n");
}

/** `markdown` with the console section replaced (or appended); unchanged without a run. */
export function withConsoleSection(markdown: string, run: ConsoleBenchResults | undefined): string {
  if (!run) return markdown;
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start !== -1 && end > start) return `${markdown.slice(0, start)}${section(run)}${markdown.slice(end + END.length)}`;
  return `${markdown.trimEnd()}\n\n${section(run)}\n`;
}
