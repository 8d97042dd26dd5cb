// `npm run bench`: the guard's cost, measured side by side in one run against the production
// build (`npm run build:e2e` first) on real PostgreSQL and Redis, with the fake OpenAI server
// as the model. Prints the figures and writes bench/results/latest.json. Not a test: nothing
// here asserts a time.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { hash } from "@node-rs/argon2";
import postgres from "postgres";
import { requestTokenKey, signRequestToken } from "../lib/guard/request-token-codec";
import { startFakeOpenAI } from "../tests/fakes/openai-server";
import { BASE_DATABASE_URL, SENTINELS, productionServerEnv } from "../tests/support/sentinels";
import { createRunDatabase, runDatabaseName } from "../tests/support/test-database";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 150);
const PORT = Number(process.env.BENCH_PORT ?? 3290);
const BASE = `http://localhost:${PORT}`;
// The pro plan allows 30 requests a minute per user: spread the chat over enough users, plus
// one user of its own for the cache measurement.
const CHAT_USERS = Math.ceil((ROUNDS + 10) / 25) + 1;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const summary = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), n: values.length });
const round = (value: number) => Math.round(value * 1000) / 1000;
let ipCounter = 0;
const nextIp = () => `10.99.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

const fake = await startFakeOpenAI({ wordDelayMs: 0 });
const database = await createRunDatabase(BASE_DATABASE_URL, runDatabaseName("bench"));
const sql = postgres(database.url, { max: 2, prepare: false, onnotice: () => {} });
const server = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(PORT)], {
  stdio: "ignore",
  detached: true,
  env: {
    ...process.env,
    ...productionServerEnv(database.url),
    REDIS_KEY_PREFIX: `bench${Date.now().toString(36)}`,
    OPENAI_BASE_URL: fake.url,
    BENCH_BARE_ROUTE: "on",
  },
});

async function cleanUp() {
  if (server.pid) process.kill(-server.pid, "SIGTERM");
  await fake.close();
  await sql.end();
  await database.drop();
}

try {
  for (let i = 0; i < 120; i++) {
    if ((await fetch(`${BASE}/api/health`).catch(() => null))?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // Users on the pro plan, logged in through Auth.js's credentials endpoint.
  const passwordHash = await hash("bench password 123");
  const users: Array<{ id: string; cookie: string }> = [];
  for (let i = 0; i <= CHAT_USERS; i++) {
    const email = `bench-${i}-${Date.now()}@example.com`;
    // Proven addresses: the guard refuses model calls before verification.
    const [row] = await sql<{ id: string }[]>`insert into users (id, email, password_hash, email_verified) values (${randomUUID()}, ${email}, ${passwordHash}, now()) returning id`;
    await sql`insert into subscriptions (user_id, plan, status) values (${row!.id}, 'pro', null)`;
    users.push({ id: row!.id, cookie: await logIn(email, "bench password 123") });
  }
  const key = requestTokenKey(SENTINELS.AUTH_SECRET);

  const chatOnce = async (index: number) => {
    const user = users[index % CHAT_USERS]!;
    const started = performance.now();
    const response = await fetch(`${BASE}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE, cookie: user.cookie, "x-forwarded-for": nextIp() },
      body: JSON.stringify({ message: `Benchmark message ${index}`, token: signRequestToken(key, user.id) }),
    });
    const body = await response.text();
    if (!response.ok || !body.includes('"type":"done"')) throw new Error(`chat ${response.status}: ${body.slice(0, 200)}`);
    return performance.now() - started;
  };
  const bareOnce = async (index: number) => {
    // The same session cookie as the guarded request, so proxy.ts does the same work for both.
    const user = users[index % CHAT_USERS]!;
    const started = performance.now();
    const response = await fetch(`${BASE}/api/bench/bare`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: user.cookie },
      body: JSON.stringify({ message: `Benchmark message ${index}` }),
    });
    await response.text();
    if (!response.ok) throw new Error(`bare ${response.status}`);
    return performance.now() - started;
  };

  // Warm both paths (JIT, connection pools, the limiter's scripts), then alternate them.
  for (let i = 0; i < 10; i++) {
    await chatOnce(i);
    await bareOnce(i);
  }
  await sql`delete from audit_log`;
  const guarded: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    guarded.push(await chatOnce(i + 10));
    bare.push(await bareOnce(i + 10));
  }

  // Per-step guard time, as the server measured it in process (kept in each audit row).
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rows = await sql<{ details: { timings: Record<string, number> } }[]>`select details from audit_log where action = 'chat' and outcome = 'served'`;
  const steps: Record<string, number[]> = {};
  for (const row of rows) for (const [step, ms] of Object.entries(row.details.timings)) (steps[step] ??= []).push(ms);

  const cacheHits = await measureCacheHits(users[CHAT_USERS]!, key);

  const results = {
    measuredAt: new Date().toISOString(),
    rounds: ROUNDS,
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    guardInProcessMs: Object.fromEntries(Object.entries(steps).map(([step, values]) => [step, summary(values)])),
    endToEndMs: { guardedChat: summary(guarded), bareRoute: summary(bare) },
    guardOverheadP50Ms: round(percentile(guarded, 50) - percentile(bare, 50)),
    cacheHitMs: summary(cacheHits),
    upstreamCalls: fake.stats().chat,
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  await cleanUp();
}

async function logIn(email: string, password: string): Promise<string> {
  const csrf = await fetch(`${BASE}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  // proxy.ts and the route both set a CSRF cookie; the browser keeps the last one per name.
  const jar = new Map(csrf.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const cookies = Array.from(jar, ([name, value]) => `${name}=${value}`).join("; ");
  const response = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies, "x-forwarded-for": nextIp() },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: BASE }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.includes("session-token="));
  if (!session) throw new Error(`log-in failed: ${response.status} ${response.headers.get("location")}`);
  return session.split(";")[0]!;
}

/** The structured tool's server action, posted as the browser does, with the same text each time. */
async function measureCacheHits(user: { id: string; cookie: string }, key: Buffer): Promise<number[]> {
  const { readFileSync } = await import("node:fs");
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  const actionId = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === "summarizeAction")?.[0];
  if (!actionId) throw new Error("summarizeAction not in the build");
  const post = async () => {
    const form = new FormData();
    form.append("_1_text", "The same text, summarized again and again for the benchmark.");
    form.append("_1_token", signRequestToken(key, user.id));
    form.append("0", JSON.stringify([null, "$K1"]));
    const started = performance.now();
    const response = await fetch(`${BASE}/tools/summarize`, {
      method: "POST",
      headers: { "Next-Action": actionId, cookie: user.cookie, origin: BASE, "x-forwarded-for": nextIp() },
      body: form,
    });
    const body = await response.text();
    if (!body.includes('"ok":true')) throw new Error(`summarize: ${body.slice(0, 200)}`);
    return { ms: performance.now() - started, hit: body.includes('"cacheHit":true') };
  };
  await post(); // the miss that fills the cache
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const { ms, hit } = await post();
    if (!hit) throw new Error("expected a cache hit");
    times.push(ms);
  }
  return times;
}
