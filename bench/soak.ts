// `npm run soak`: mixed traffic at a fixed concurrency against the production build (`npm run
// build:e2e` first) on real PostgreSQL and Redis, with the fake OpenAI server as the model.
// Not a test: it prints throughput, p50/p99, errors and the server's memory every minute, then
// checks the books: one audit row per guarded request, and usage == the sum of the audit rows.
// Exits non-zero when a request failed unexpectedly or the books do not balance.
//   SOAK_SECONDS (600) · SOAK_CONNECTIONS (20) · SOAK_PORT (3270) · SOAK_USERS (200)
// Traffic goes only to this machine (127.0.0.1); client addresses are header values only.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { requestTokenKey, signRequestToken } from "../lib/guard/request-token-codec";
import { startFakeOpenAI } from "../tests/fakes/openai-server";
import { BASE_DATABASE_URL, SENTINELS, productionServerEnv } from "../tests/support/sentinels";
import { startNextServer, type NextServer } from "../tests/support/next-server";
import { createRunDatabase, runDatabaseName } from "../tests/support/test-database";
import { createUsers, type User as BenchUser } from "./clients";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 20);
const PORT = Number(process.env.SOAK_PORT ?? 3270);
const USERS = Number(process.env.SOAK_USERS ?? 200);
const BASE = `http://localhost:${PORT}`;
// A request still unanswered after this counts as an error (and the soak moves on).
const REQUEST_TIMEOUT_MS = 60_000;
const REPORT_EVERY_MS = Math.min(60_000, Math.max(5_000, (SECONDS * 1000) / 6));

const key = requestTokenKey(SENTINELS.AUTH_SECRET);
let ipCounter = 0;
const nextIp = () => `10.77.${Math.floor(++ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

const fake = await startFakeOpenAI({ wordDelayMs: 2 });
const database = await createRunDatabase(BASE_DATABASE_URL, runDatabaseName("soak"));
const sql = postgres(database.url, { max: 2, prepare: false, onnotice: () => {} });
let server: NextServer | undefined;

type User = BenchUser & { summarizeText: string };
type Kind =
  | "chat"
  | "chat_abort"
  | "summarize_hit"
  | "summarize_miss"
  | "refused_token"
  | "refused_field"
  | "refused_session"
  | "refused_origin"
  | "health";
// The mix: mostly served chat, the rest tool hits and misses, aborts and refusals of each kind.
const MIX: Array<[Kind, number]> = [
  ["chat", 40],
  ["chat_abort", 8],
  ["summarize_hit", 12],
  ["summarize_miss", 10],
  ["refused_token", 7],
  ["refused_field", 7],
  ["refused_session", 5],
  ["refused_origin", 5],
  ["health", 6],
];
const totalWeight = MIX.reduce((sum, [, weight]) => sum + weight, 0);
function nextKind(): Kind {
  let roll = Math.random() * totalWeight;
  for (const [kind, weight] of MIX) if ((roll -= weight) < 0) return kind;
  return "chat";
}

let summarizeActionId = "";
let guardedRequests = 0; // chat and summarize requests: each must leave exactly one audit row
const latencies: number[] = [];
const outcomes = new Map<string, number>();
const errors: string[] = [];
const count = (label: string) => outcomes.set(label, (outcomes.get(label) ?? 0) + 1);

async function chat(user: User, body: Record<string, unknown>, options: { origin?: string; cookie?: string; abort?: boolean } = {}) {
  guardedRequests++;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
  try {
    return await chatWith(controller, user, body, options);
  } finally {
    clearTimeout(timer);
  }
}

async function chatWith(
  controller: AbortController,
  user: User,
  body: Record<string, unknown>,
  options: { origin?: string; cookie?: string; abort?: boolean },
) {
  const response = await fetch(`${BASE}/api/chat`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: options.origin ?? BASE,
      cookie: options.cookie ?? user.cookie,
      "x-forwarded-for": nextIp(),
    },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  if (!options.abort || !response.ok) return { status: response.status, body: await response.text() };
  const reader = response.body!.getReader();
  let text = "";
  while (!text.includes('"type":"text"')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return { status: response.status, body: text };
}

async function summarize(user: User, text: string) {
  guardedRequests++;
  const form = new FormData();
  form.append("_1_text", text);
  form.append("_1_token", signRequestToken(key, user.id));
  form.append("0", JSON.stringify([null, "$K1"]));
  const response = await fetch(`${BASE}/tools/summarize`, {
    method: "POST",
    headers: { "Next-Action": summarizeActionId, cookie: user.cookie, origin: BASE, "x-forwarded-for": nextIp() },
    body: form,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, body: await response.text() };
}

const code = (body: string) => /"code":"(\w+)"/.exec(body)?.[1];

/** One request of the given kind; returns a label for the tally, or throws on anything unexpected. */
async function runOne(kind: Kind, user: User, n: number): Promise<string> {
  const token = () => signRequestToken(key, user.id);
  switch (kind) {
    case "chat": {
      const reply = await chat(user, { message: `Soak message ${n}, tell me about load.`, token: token() });
      if (reply.status === 200 && reply.body.includes('"type":"done"')) return "chat served";
      if (reply.status === 429) return `chat refused ${code(reply.body)}`;
      throw new Error(`chat ${reply.status} ${reply.body.slice(0, 160)}`);
    }
    case "chat_abort": {
      const reply = await chat(user, { message: `Soak long answer ${n} [[fault:slow]]`, token: token() }, { abort: true });
      if (reply.status === 200) return "chat aborted";
      if (reply.status === 429) return `chat refused ${code(reply.body)}`;
      throw new Error(`abort ${reply.status} ${reply.body.slice(0, 160)}`);
    }
    case "summarize_hit":
    case "summarize_miss": {
      const reply = await summarize(
        user,
        kind === "summarize_hit" ? user.summarizeText : `A new text to summarize, number ${n}, ${randomUUID()}.`,
      );
      if (reply.body.includes('"ok":true')) return reply.body.includes('"cacheHit":true') ? "summarize hit" : "summarize miss";
      const refusal = code(reply.body);
      if (refusal === "rate_limited" || refusal === "quota_exceeded") return `summarize refused ${refusal}`;
      throw new Error(`summarize ${reply.status} ${reply.body.slice(0, 160)}`);
    }
    case "refused_token":
      return expectRefusal(await chat(user, { message: "x", token: `${token().slice(0, -4)}AAAA` }), 403);
    case "refused_field":
      return expectRefusal(await chat(user, { message: "x", token: token(), model: "gpt-5-pro" }), 400);
    case "refused_session":
      return expectRefusal(await chat(user, { message: "x", token: token() }, { cookie: "" }), 401);
    case "refused_origin":
      return expectRefusal(await chat(user, { message: "x", token: token() }, { origin: "https://evil.example" }), 403);
    case "health": {
      const response = await fetch(`${BASE}/api/health`);
      await response.text();
      if (response.status !== 200) throw new Error(`health ${response.status}`);
      return "health";
    }
  }
}

function expectRefusal(reply: { status: number; body: string }, status: number): string {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status} ${reply.body.slice(0, 160)}`);
  return `refused ${status}`;
}

async function settledAuditCount(): Promise<number> {
  // Audit rows are written after each response (after()); wait until the count stops moving.
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const [row] = await sql<{ n: string }[]>`select count(*) as n from audit_log where action in ('chat', 'summarize')`;
    const current = Number(row!.n);
    if (current === last && current >= guardedRequests) return current;
    last = current;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return last;
}

let failed = false;
try {
  // Its output goes to ours: a server-side error shows beside the figures.
  server = await startNextServer(
    PORT,
    {
      ...process.env,
      ...productionServerEnv(database.url),
      REDIS_KEY_PREFIX: `soak${Date.now().toString(36)}`,
      OPENAI_BASE_URL: fake.url,
    },
    { output: "inherit" },
  );
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  summarizeActionId = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === "summarizeAction")![0];

  // Verified pro users with sessions, as the benchmark makes them (bench/clients.ts).
  const users: User[] = (await createUsers(sql, BASE, USERS)).map((user, i) => ({
    ...user,
    summarizeText: `The text user ${i} summarizes again and again.`,
  }));
  console.log(
    `soak: ${SECONDS} s, ${CONNECTIONS} connections, ${USERS} pro users, server pid ${server.child.pid}, memory ${mb(server.memory())} MB at start`,
  );

  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const memory: Array<{ atSeconds: number; rssMb: number }> = [{ atSeconds: 0, rssMb: mb(server.memory()) }];
  let doneInWindow = 0;
  let windowLatencies: number[] = [];
  const reporter = setInterval(() => {
    const sorted = windowLatencies.sort((a, b) => a - b);
    const at = Math.round((Date.now() - started) / 1000);
    memory.push({ atSeconds: at, rssMb: mb(server!.memory()) });
    console.log(
      `  ${String(at).padStart(4)} s  ${(doneInWindow / (REPORT_EVERY_MS / 1000)).toFixed(1)} req/s  p50 ${percentile(sorted, 50).toFixed(0)} ms  p99 ${percentile(sorted, 99).toFixed(0)} ms  errors ${errors.length}  server RSS ${memory.at(-1)!.rssMb} MB`,
    );
    doneInWindow = 0;
    windowLatencies = [];
  }, REPORT_EVERY_MS);

  let n = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        const kind = nextKind();
        const t0 = performance.now();
        try {
          count(await runOne(kind, pick(users), ++n));
        } catch (error) {
          const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
          errors.push(
            `${kind} after ${Math.round(performance.now() - t0)} ms: ${error instanceof Error ? error.message : String(error)}${cause}`,
          );
        }
        const ms = performance.now() - t0;
        latencies.push(ms);
        windowLatencies.push(ms);
        doneInWindow++;
      }
    }),
  );
  clearInterval(reporter);
  const elapsed = (Date.now() - started) / 1000;

  const audited = await settledAuditCount();
  const [books] = await sql<{ used: string; reserved: string; cost: string; audit_tokens: string; audit_cost: string; budget: string }[]>`
    select
      (select coalesce(sum(tokens_used), 0) from usage_daily) as used,
      (select coalesce(sum(tokens_reserved), 0) from usage_daily) as reserved,
      (select coalesce(sum(cost_micros), 0) from usage_daily) as cost,
      -- A semantic cache lookup's embedding tokens are charged too; the row keeps them in details.
      (select coalesce(sum(input_tokens + output_tokens + coalesce((details->>'embeddingTokens')::bigint, 0)), 0) from audit_log where action in ('chat', 'summarize')) as audit_tokens,
      (select coalesce(sum(cost_micros), 0) from audit_log where action in ('chat', 'summarize')) as audit_cost,
      (select coalesce(sum(cost_micros), 0) from budget_daily) as budget`;
  const sorted = [...latencies].sort((a, b) => a - b);
  const warm = memory.filter((point) => point.atSeconds >= Math.min(120, elapsed / 3));
  const report = {
    seconds: Math.round(elapsed),
    connections: CONNECTIONS,
    requests: latencies.length,
    throughputPerSecond: Math.round((latencies.length / elapsed) * 10) / 10,
    latencyMs: { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.at(-1) ?? 0) },
    errors: errors.length,
    outcomes: Object.fromEntries([...outcomes].sort()),
    upstreamCalls: fake.stats().chat,
    serverMemoryMb: memory,
    memoryGrowthAfterWarmUpMb: warm.length >= 2 ? warm.at(-1)!.rssMb - warm[0]!.rssMb : null,
    books: {
      guardedRequests,
      auditRows: audited,
      usageTokens: Number(books!.used),
      auditTokens: Number(books!.audit_tokens),
      usageCostMicros: Number(books!.cost),
      auditCostMicros: Number(books!.audit_cost),
      budgetCostMicros: Number(books!.budget),
      tokensStillReserved: Number(books!.reserved),
    },
  };
  console.log(JSON.stringify(report, null, 2));
  for (const error of errors.slice(0, 10)) console.error(`  error: ${error}`);
  const problems = [
    errors.length > 0 && `${errors.length} requests failed unexpectedly`,
    audited !== guardedRequests && `audit rows ${audited} != guarded requests ${guardedRequests}`,
    report.books.usageTokens !== report.books.auditTokens &&
      `usage tokens ${report.books.usageTokens} != audit tokens ${report.books.auditTokens}`,
    report.books.usageCostMicros !== report.books.auditCostMicros &&
      `usage cost ${report.books.usageCostMicros} != audit cost ${report.books.auditCostMicros}`,
    report.books.budgetCostMicros !== report.books.auditCostMicros &&
      `budget cost ${report.books.budgetCostMicros} != audit cost ${report.books.auditCostMicros}`,
    report.books.tokensStillReserved !== 0 && `${report.books.tokensStillReserved} tokens still reserved`,
  ].filter(Boolean);
  if (problems.length > 0) {
    failed = true;
    console.error(`soak: FAILED\n  ${problems.join("\n  ")}`);
  } else {
    console.log("soak: the books balance (audit rows == guarded requests, usage == sum of audit rows); no unexpected errors");
  }
} finally {
  await server?.stop();
  await fake.close();
  await sql.end();
  await database.drop().catch(() => {});
}
process.exit(failed ? 1 : 0);
