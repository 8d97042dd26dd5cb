// `npm run bench`: what the guard costs, measured side by side in one run against the
// production build (`npm run build:e2e` first) on real PostgreSQL and Redis, with the fake
// OpenAI server as the model. Prints a table, writes bench/results/latest.json and
// BENCHMARKS.md. Not a test: nothing here asserts a time; the targets are reported met or
// missed. Knobs (README, BENCHMARKS.md): BENCH_ROUNDS, BENCH_DELAY_ROUNDS, BENCH_LOAD_SECONDS,
// BENCH_CONNECTIONS, BENCH_MAX_RATE, BENCH_STORE_DELAY_MS, BENCH_PORT, BENCH_PORTKEY_DIR,
// BENCH_PROFILE. Traffic goes only to this machine; client addresses are header values.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import postgres from "postgres";
import { startFakeOpenAI } from "../tests/fakes/openai-server";
import { sampleMemory, startNextServer, type NextServer } from "../tests/support/next-server";
import { startDelayProxy } from "../tests/support/delay-proxy";
import { BASE_DATABASE_URL, productionServerEnv } from "../tests/support/sentinels";
import { createRunDatabase, runDatabaseName } from "../tests/support/test-database";
import { readConsoleResults, withConsoleSection } from "./console-report";
import {
  bareRequest,
  chatRequest,
  createUsers,
  findSummarizeAction,
  isCacheHit,
  isServedChat,
  isSummary,
  seedConversations,
  splitUsers,
  summarizeRequest,
  timed,
  UserLease,
  USES_PER_USER,
  type Prepared,
  type Timed,
  type User,
} from "./clients";
import { topSelfTime, type CpuProfile, type Window } from "./cpu-profile";
import { runLoad, type LoadResult } from "./load";
import { completionRequest, startPortkey } from "./portkey";
import { machine, renderConsole, renderMarkdown, targetsOf, type BenchResults, type Latency } from "./report";
import { medianDifference, percentile, round, roundTrips, summarize } from "./stats";

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = setting("BENCH_ROUNDS", 200);
const DELAY_ROUNDS = setting("BENCH_DELAY_ROUNDS", 100);
const LOAD_SECONDS = setting("BENCH_LOAD_SECONDS", 10);
const CONNECTIONS = setting("BENCH_CONNECTIONS", 50);
// The guarded request rate the user pools are sized for (each user makes at most 25 requests).
const MAX_RATE = setting("BENCH_MAX_RATE", 400);
const STORE_DELAY_MS = setting("BENCH_STORE_DELAY_MS", 1);
const PORT = setting("BENCH_PORT", 3290);
const PROFILE = process.env.BENCH_PROFILE === "1";
const PORTKEY_DIR = process.env.BENCH_PORTKEY_DIR;
const WARM_ROUNDS = 10;
const HISTORY_MESSAGES = 20;
const PROFILE_DIR = "bench/results/profile";
// Ports: the server, the server behind the delayed stores, the fake model, the two delay
// proxies and Portkey, all from BENCH_PORT up.
const ports = { server: PORT, delayedServer: PORT + 1, fake: PORT + 2, postgresProxy: PORT + 3, redisProxy: PORT + 4, portkey: PORT + 5 };

const startedAt = new Date();
const loadAverageAtStart = (await import("node:os")).loadavg();
const log = (line: string) => console.log(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const cleanups: Array<() => Promise<unknown>> = [];

const fake = await startFakeOpenAI({ port: ports.fake, wordDelayMs: 0 });
cleanups.push(() => fake.close());
const database = await createRunDatabase(BASE_DATABASE_URL, runDatabaseName("bench"));
cleanups.push(() => database.drop());
const sql = postgres(database.url, { max: 4, prepare: false, onnotice: () => {} });
cleanups.push(() => sql.end());

try {
  // The second server reaches the same database and Redis through proxies that can hold each
  // direction of every round trip for half the store delay.
  const postgresUrl = new URL(BASE_DATABASE_URL);
  const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const postgresProxy = await startDelayProxy(Number(postgresUrl.port || 5432), ports.postgresProxy);
  const redisProxy = await startDelayProxy(Number(redisUrl.port || 6379), ports.redisProxy);
  cleanups.push(
    () => postgresProxy.close(),
    () => redisProxy.close(),
  );
  const setStoreDelay = (on: boolean) => {
    for (const proxy of [postgresProxy, redisProxy]) proxy.delayMs = proxy.responseDelayMs = on ? STORE_DELAY_MS / 2 : 0;
  };

  if (PROFILE) {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
  }
  const prefix = `bench${Date.now().toString(36)}`;
  const serverEnv = (databaseUrl: string, redis: string) => ({
    ...process.env,
    ...productionServerEnv(databaseUrl),
    REDIS_URL: redis,
    REDIS_KEY_PREFIX: prefix,
    OPENAI_BASE_URL: fake.url,
    BENCH_BARE_ROUTE: "on",
    // Straight to PostgreSQL, no transaction-mode pooler: prepared statements, as a direct
    // deployment would run (each statement is described once, not on every call).
    DATABASE_PREPARE: "on",
  });
  log("starting next start twice (direct stores, and stores behind the delay proxies)");
  const delayedDatabaseUrl = new URL(database.url);
  delayedDatabaseUrl.host = `127.0.0.1:${ports.postgresProxy}`;
  const delayedRedisUrl = new URL(redisUrl);
  delayedRedisUrl.host = `127.0.0.1:${ports.redisProxy}`;
  const started = await Promise.allSettled([
    // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line (next start serves
    // from this same process, and writes the profile on a clean exit).
    startNextServer(ports.server, serverEnv(database.url, redisUrl.toString()), {
      timeoutMs: 90_000,
      nodeArgs: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    }),
    startNextServer(ports.delayedServer, serverEnv(delayedDatabaseUrl.toString(), delayedRedisUrl.toString()), { timeoutMs: 90_000 }),
  ]);
  const stopServers = async () => {
    await Promise.all(started.map((outcome) => (outcome.status === "fulfilled" ? outcome.value.stop() : undefined)));
  };
  cleanups.unshift(stopServers);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  const [server, delayedServer] = started.map((outcome) => (outcome as PromiseFulfilledResult<NextServer>).value) as [
    NextServer,
    NextServer,
  ];

  // ---- users: enough that no one exceeds the plan's limits, whatever the request rate --------
  const perScenario = (requests: number, uses = USES_PER_USER) => Math.ceil(requests / uses);
  const perLoad = (uses: number) => Math.ceil(perScenario(LOAD_SECONDS * MAX_RATE, uses) / CONNECTIONS) * CONNECTIONS;
  const sequentialRequests = ROUNDS + WARM_ROUNDS;
  const delayRequests = DELAY_ROUNDS + WARM_ROUNDS;
  const sizes = {
    chatNew: perScenario(sequentialRequests),
    chatHistory: perScenario(sequentialRequests),
    toolMiss: perScenario(sequentialRequests),
    toolHit: perScenario(sequentialRequests, USES_PER_USER - 1),
    delayNewOff: perScenario(delayRequests),
    delayNewOn: perScenario(delayRequests),
    delayHistoryOff: perScenario(delayRequests),
    delayHistoryOn: perScenario(delayRequests),
    loadChat: perLoad(USES_PER_USER),
    loadHit: perLoad(USES_PER_USER - 1),
  };
  const userCount = Object.values(sizes).reduce((a, b) => a + b, 0);
  log(`creating ${userCount} pro users (at most ${USES_PER_USER} guarded requests each)`);
  const users = await createUsers(sql, server.ipUrl, userCount);
  const groups = splitUsers(users, sizes);
  const lease = (name: keyof typeof sizes, spread = 1) =>
    new UserLease(groups[name]!, spread, name === "toolHit" || name === "loadHit" ? USES_PER_USER - 1 : USES_PER_USER);

  // Conversations with 20 stored messages, one per request, owned by the user who sends it.
  const historyPlan = async (name: keyof typeof sizes, requests: number) => {
    const owners = Array.from(
      { length: requests },
      (
        (planner) => () =>
          planner.next()
      )(lease(name)),
    );
    const conversations = await seedConversations(sql, owners, HISTORY_MESSAGES);
    return owners.map((user, i) => ({ user, conversationId: conversations[i]! }));
  };
  const summarizeAction = findSummarizeAction();
  const hitText = "The same text, summarized again and again for the benchmark: a cache hit after the first time.";
  // Fills each cache-hit user's cache entry (the one request that is a miss).
  const fillCaches = async (base: string, owners: User[]) => {
    for (let i = 0; i < owners.length; i += 8) {
      await Promise.all(
        owners.slice(i, i + 8).map(async (owner) => {
          const reply = await timed(base, summarizeRequest(base, summarizeAction, owner, hitText));
          if (!isSummary(reply.body)) throw new Error(`cache fill: ${reply.status} ${reply.body.slice(0, 200)}`);
        }),
      );
    }
  };

  let messageCounter = 0;
  const message = () => `Benchmark message ${++messageCounter}: tell me about connection pools.`;
  const expect = (what: string, reply: Timed, ok: (body: string) => boolean) => {
    if (reply.status < 200 || reply.status > 299 || !ok(reply.body))
      throw new Error(`${what}: ${reply.status} ${reply.body.slice(0, 300)}`);
    return reply;
  };
  const record = (into: Latency, reply: Timed) => {
    into.ttft.push(reply.ttftMs);
    into.total.push(reply.totalMs);
  };
  const newLatency = (): Latency => ({ ttft: [], total: [] });

  // ---- 1. sequential, one request at a time, every scenario in turn ---------------------------
  log(`sequential: ${ROUNDS} rounds of six scenarios (+${WARM_ROUNDS} warm-up)`);
  const seq = {
    constant: newLatency(),
    bareModel: newLatency(),
    chatNew: newLatency(),
    chatHistory20: newLatency(),
    toolMiss: newLatency(),
    toolHit: newLatency(),
  };
  const chatNewUsers = lease("chatNew");
  const toolMissUsers = lease("toolMiss");
  const toolHitUsers = lease("toolHit");
  const history = await historyPlan("chatHistory", sequentialRequests);
  await fillCaches(server.ipUrl, groups.toolHit!);
  const floorUser = users[0]!;
  let sequentialFrom = new Date();
  for (let i = 0; i < sequentialRequests; i++) {
    if (i === WARM_ROUNDS) sequentialFrom = new Date();
    const keep = i >= WARM_ROUNDS;
    const steps: Array<[Latency, () => Promise<Timed>]> = [
      [
        seq.constant,
        async () => expect("constant", await timed(server.ipUrl, bareRequest("/api/bench/constant", floorUser, message())), () => true),
      ],
      [
        seq.bareModel,
        async () =>
          expect("bare", await timed(server.ipUrl, bareRequest("/api/bench/bare", floorUser, message())), (body) =>
            body.includes('"type":"text"'),
          ),
      ],
      [
        seq.chatNew,
        async () => expect("chat", await timed(server.ipUrl, chatRequest(server.ipUrl, chatNewUsers.next(), message())), isServedChat),
      ],
      [
        seq.chatHistory20,
        async () =>
          expect(
            "chat with history",
            await timed(server.ipUrl, chatRequest(server.ipUrl, history[i]!.user, message(), history[i]!.conversationId)),
            isServedChat,
          ),
      ],
      [
        seq.toolMiss,
        async () =>
          expect(
            "tool miss",
            await timed(server.ipUrl, summarizeRequest(server.ipUrl, summarizeAction, toolMissUsers.next(), `${message()} ${i}`)),
            (body) => isSummary(body) && !isCacheHit(body),
          ),
      ],
      [
        seq.toolHit,
        async () =>
          expect(
            "tool hit",
            await timed(server.ipUrl, summarizeRequest(server.ipUrl, summarizeAction, toolHitUsers.next(), hitText)),
            isCacheHit,
          ),
      ],
    ];
    for (const [into, run] of steps) {
      const reply = await run();
      if (keep) record(into, reply);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // audit rows are written after each response
  const guardInProcess = {
    chatNew: await auditTimings(chatNewUsers.used, sequentialFrom),
    chatHistory20: await auditTimings(new Set(history.map((entry) => entry.user.id)), sequentialFrom),
    toolMiss: await auditTimings(toolMissUsers.used, sequentialFrom),
    toolHit: await auditTimings(toolHitUsers.used, sequentialFrom),
  };

  // ---- 2. Portkey beside it: the same call to the fake, direct and through the gateway ------
  const portkey = PORTKEY_DIR
    ? await measurePortkey(PORTKEY_DIR)
    : { status: "not run", reason: "BENCH_PORTKEY_DIR is not set; the target is held at 3 ms" };

  // ---- 3. throughput at 50 connections, and the server's memory meanwhile ------------------
  const idleMemory = server.memory();
  const throughput: Record<string, LoadResult> = {};
  // Where each load ran in the server's CPU profile (the same monotonic clock in every process).
  const profileWindows: Record<string, Window> = {};
  const peakMemory: Record<string, number> = {};
  const loadChatUsers = lease("loadChat", CONNECTIONS);
  const loadHitUsers = lease("loadHit", CONNECTIONS);
  log(`filling the cache for ${groups.loadHit!.length} users`);
  await fillCaches(server.ipUrl, groups.loadHit!);
  const loads: Array<[string, () => Prepared, (body: string) => boolean]> = [
    ["bareModel", () => bareRequest("/api/bench/bare", floorUser, message()), (body) => body.includes('"type":"text"')],
    ["chatNew", () => chatRequest(server.ipUrl, loadChatUsers.next(), message()), isServedChat],
    ["toolHit", () => summarizeRequest(server.ipUrl, summarizeAction, loadHitUsers.next(), hitText), isCacheHit],
  ];
  for (const [name, prepare, check] of loads) {
    log(`throughput: ${name}, ${CONNECTIONS} connections, ${LOAD_SECONDS} s`);
    const memory = sampleMemory(server);
    const from = monotonicMicros();
    throughput[name] = await runLoad({ url: server.ipUrl, connections: CONNECTIONS, seconds: LOAD_SECONDS, prepare, check });
    profileWindows[name] = { from, to: monotonicMicros() };
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let the audit writes after the responses finish
    peakMemory[name] = memory.stop().peakBytes;
  }
  const overdrawn = loadChatUsers.overdrawn + loadHitUsers.overdrawn;

  // ---- 4. every store round trip delayed: how many sequential round trips the guard makes ----
  // The same server behind the same proxies, the delay switched off and on between requests,
  // so the only difference between the two halves is the delay itself. Each chat's writes
  // after its last event (save, settle, audit: the audit row comes last) finish before the next
  // request, so they never hold a row or a connection the request being timed needs (they take
  // longer behind the delay).
  log(`store delay: ${STORE_DELAY_MS} ms per round trip, ${DELAY_ROUNDS} rounds, switched off and on in turn`);
  const measuredRoundTrip = await measureAddedRoundTrip(setStoreDelay, postgresProxy.port, redisProxy.port, redisUrl);
  const withoutDelay = { bareModel: newLatency(), chatNew: newLatency(), chatHistory20: newLatency() };
  const withDelay = { bareModel: newLatency(), chatNew: newLatency(), chatHistory20: newLatency() };
  const newUsersOff = lease("delayNewOff");
  const newUsersOn = lease("delayNewOn");
  const historyOff = await historyPlan("delayHistoryOff", delayRequests);
  const historyOn = await historyPlan("delayHistoryOn", delayRequests);
  let delayedFrom = new Date();
  const base = delayedServer.ipUrl;
  for (let i = 0; i < delayRequests; i++) {
    if (i === WARM_ROUNDS) delayedFrom = new Date();
    const keep = i >= WARM_ROUNDS;
    for (const [on, into, newUsers, historyUsers] of [
      [false, withoutDelay, newUsersOff, historyOff],
      [true, withDelay, newUsersOn, historyOn],
    ] as const) {
      setStoreDelay(on);
      const bare = await timed(base, bareRequest("/api/bench/bare", floorUser, message()));
      const chat = expect("chat", await timed(base, chatRequest(base, newUsers.next(), message())), isServedChat);
      await auditRowWritten(chat.body);
      const withHistory = expect(
        "chat with history",
        await timed(base, chatRequest(base, historyUsers[i]!.user, message(), historyUsers[i]!.conversationId)),
        isServedChat,
      );
      await auditRowWritten(withHistory.body);
      if (keep) {
        record(into.bareModel, bare);
        record(into.chatNew, chat);
        record(into.chatHistory20, withHistory);
      }
    }
  }
  setStoreDelay(false);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const delayedGuard = {
    chatNew: await auditTimings(newUsersOn.used, delayedFrom),
    chatHistory20: await auditTimings(new Set(historyOn.map((entry) => entry.user.id)), delayedFrom),
    chatNewWithoutDelay: await auditTimings(newUsersOff.used, delayedFrom),
  };

  await stopServers();
  const profile = PROFILE ? readProfile(profileWindows) : undefined;

  const summarizeLatency = (latency: Latency) => ({ ttft: summarize(latency.ttft), total: summarize(latency.total) });
  // Rounds pair a request without and one with the delay, made one after the other: the median
  // of the pairs' differences cancels what drifts over the run (other work on this machine).
  const added = (name: "bareModel" | "chatNew" | "chatHistory20", field: "ttft" | "total") =>
    round(medianDifference(withDelay[name][field], withoutDelay[name][field]));
  const results: BenchResults = {
    measuredAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: machine(loadAverageAtStart),
    settings: {
      rounds: ROUNDS,
      delayRounds: DELAY_ROUNDS,
      loadSeconds: LOAD_SECONDS,
      connections: CONNECTIONS,
      storeDelayMs: STORE_DELAY_MS,
      users: userCount,
      usesPerUser: USES_PER_USER,
      historyMessages: HISTORY_MESSAGES,
    },
    sequential: {
      constant: summarizeLatency(seq.constant),
      bareModel: summarizeLatency(seq.bareModel),
      chatNew: summarizeLatency(seq.chatNew),
      chatHistory20: summarizeLatency(seq.chatHistory20),
      toolMiss: summarizeLatency(seq.toolMiss),
      toolHit: summarizeLatency(seq.toolHit),
    },
    guardInProcessMs: guardInProcess,
    portkey,
    throughput,
    overdrawnLoadRequests: overdrawn,
    memoryMb: {
      idle: mb(idleMemory),
      peakByLoad: Object.fromEntries(Object.entries(peakMemory).map(([name, bytes]) => [name, mb(bytes)])),
      peak: mb(Math.max(...Object.values(peakMemory))),
    },
    storeDelay: {
      nominalMs: STORE_DELAY_MS,
      measuredRoundTripMs: measuredRoundTrip,
      withoutDelay: {
        bareModel: summarizeLatency(withoutDelay.bareModel),
        chatNew: summarizeLatency(withoutDelay.chatNew),
        chatHistory20: summarizeLatency(withoutDelay.chatHistory20),
      },
      withDelay: {
        bareModel: summarizeLatency(withDelay.bareModel),
        chatNew: summarizeLatency(withDelay.chatNew),
        chatHistory20: summarizeLatency(withDelay.chatHistory20),
      },
      addedP50Ms: Object.fromEntries(
        (["bareModel", "chatNew", "chatHistory20"] as const).map((name) => [
          name,
          { ttft: added(name, "ttft"), total: added(name, "total") },
        ]),
      ),
      roundTrips: Object.fromEntries(
        (["chatNew", "chatHistory20"] as const).map((name) => [
          name,
          {
            beforeFirstToken: roundTrips(added(name, "ttft"), added("bareModel", "ttft"), measuredRoundTrip.used),
            total: roundTrips(added(name, "total"), added("bareModel", "total"), measuredRoundTrip.used),
          },
        ]),
      ),
      guardInProcessMs: delayedGuard,
    },
    upstreamCalls: fake.stats().chat,
    profile,
  };
  results.targets = targetsOf(results);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(results, null, 2)}\n`);
  const baseline = (() => {
    try {
      return JSON.parse(readFileSync("bench/results/baseline.json", "utf8")) as BenchResults;
    } catch {
      return undefined;
    }
  })();
  writeFileSync("BENCHMARKS.md", withConsoleSection(renderMarkdown(results, baseline), readConsoleResults()));
  console.log(renderConsole(results));
  log("wrote bench/results/latest.json and BENCHMARKS.md");
} finally {
  for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error("[bench] cleanup:", error));
}

/** Waits (up to 5 s) until the audit row of the chat whose NDJSON answer this is has been written. */
async function auditRowWritten(answer: string) {
  const requestId = /"requestId":"([0-9a-f-]{36})"/.exec(answer)?.[1];
  if (!requestId) throw new Error(`no requestId in the chat's start event: ${answer.slice(0, 200)}`);
  for (let waited = 0; waited < 5000; waited += 5) {
    if ((await sql`select 1 from audit_log where request_id = ${requestId}`).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Per-step guard time as the server measured it in process (each audit row keeps its timings). */
async function auditTimings(userIds: Set<string>, since: Date) {
  const rows = await sql<{ details: { timings?: Record<string, number> } | null }[]>`
    select details from audit_log where user_id in ${sql([...userIds])} and created_at >= ${since}`;
  const steps: Record<string, number[]> = {};
  for (const row of rows) for (const [step, ms] of Object.entries(row.details?.timings ?? {})) (steps[step] ??= []).push(ms);
  return Object.fromEntries(Object.entries(steps).map(([step, values]) => [step, summarize(values)]));
}

/**
 * What one delayed round trip really adds (timers are never exactly on time, and this process
 * shares the CPU): a trivial statement and a PING through the proxies, 200 times each with the
 * delay off and on in turn; and one statement with a parameter, as the app's driver sends it.
 */
async function measureAddedRoundTrip(
  setStoreDelay: (on: boolean) => void,
  postgresProxyPort: number,
  redisProxyPort: number,
  redisUrl: URL,
) {
  const viaProxy = (url: URL, port: number) => Object.assign(new URL(url), { host: `127.0.0.1:${port}` }).toString();
  // As the servers connect (DATABASE_PREPARE=on: prepared statements).
  const pg = postgres(viaProxy(new URL(database.url), postgresProxyPort), { max: 1, prepare: true, onnotice: () => {} });
  const redis = new Redis(viaProxy(redisUrl, redisProxyPort));
  const time = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const samples = {
    pgOff: [] as number[],
    pgOn: [] as number[],
    redisOff: [] as number[],
    redisOn: [] as number[],
    paramOff: [] as number[],
    paramOn: [] as number[],
  };
  try {
    for (let i = 0; i < 220; i++) {
      const keep = i >= 20;
      setStoreDelay(false);
      const [pgOff, redisOff, paramOff] = [
        await time(() => pg`select 1`),
        await time(() => redis.ping()),
        await time(() => pg`select ${i}::int as n`),
      ];
      setStoreDelay(true);
      const [pgOn, redisOn, paramOn] = [
        await time(() => pg`select 1`),
        await time(() => redis.ping()),
        await time(() => pg`select ${i}::int as n`),
      ];
      if (keep) {
        samples.pgOff.push(pgOff);
        samples.redisOff.push(redisOff);
        samples.paramOff.push(paramOff);
        samples.pgOn.push(pgOn);
        samples.redisOn.push(redisOn);
        samples.paramOn.push(paramOn);
      }
    }
  } finally {
    setStoreDelay(false);
    await pg.end();
    redis.disconnect();
  }
  const postgresMs = round(medianDifference(samples.pgOn, samples.pgOff));
  const redisMs = round(medianDifference(samples.redisOn, samples.redisOff));
  const measured = round((postgresMs + redisMs) / 2);
  // A reading under half the nominal delay is noise (a busy machine), not a faster network.
  const used = measured >= STORE_DELAY_MS / 2 ? measured : STORE_DELAY_MS;
  // The servers' driver settings (postgres.js, prepared statements): what one statement with a
  // parameter costs in round trips, to read the guard's figures by.
  const parameterizedStatement = roundTrips(medianDifference(samples.paramOn, samples.paramOff), 0, postgresMs > 0 ? postgresMs : used);
  return { postgres: postgresMs, redis: redisMs, used, parameterizedStatementRoundTrips: parameterizedStatement };
}

/** The same completion straight to the fake and through Portkey, in turn; its added latency is the p50 difference. */
async function measurePortkey(dir: string) {
  log("Portkey: direct call vs through the gateway");
  let gateway;
  try {
    gateway = await startPortkey(dir, ports.portkey);
  } catch (error) {
    return { status: "not run", reason: `${(error as Error).message}; the target is held at 3 ms` };
  }
  try {
    const call = async (via: "direct" | "portkey", stream: boolean) => {
      const { url, init } = completionRequest(fake.url, via, gateway.url, stream);
      const started = performance.now();
      const response = await fetch(url, init);
      const body = await response.text();
      const ms = performance.now() - started;
      const ok =
        response.ok && (stream ? body.includes("data: ") && body.includes("chat.completion.chunk") : body.includes('"chat.completion"'));
      return { ms, ok, status: response.status, body };
    };
    // Streaming through Portkey 1.15 on Node 20 fails inside the gateway (it appends headers to
    // fetch's immutable response); probe it, and measure the plain (non-streamed) call it serves.
    const probe = await call("portkey", true);
    const streaming = probe.ok ? "works" : `fails: ${probe.status} ${probe.body.slice(0, 120)}`;
    const directMs: number[] = [];
    const portkeyMs: number[] = [];
    for (let i = 0; i < ROUNDS + WARM_ROUNDS; i++) {
      const first = await call("direct", false);
      const second = await call("portkey", false);
      if (!first.ok || !second.ok)
        return { status: "not run", reason: `Portkey answered ${second.status}: ${second.body.slice(0, 160)}; the target is held at 3 ms` };
      if (i >= WARM_ROUNDS) {
        directMs.push(first.ms);
        portkeyMs.push(second.ms);
      }
    }
    const version = (JSON.parse(readFileSync(join(dir, "node_modules/@portkey-ai/gateway/package.json"), "utf8")) as { version: string })
      .version;
    return {
      status: "measured",
      version,
      streaming,
      direct: summarize(directMs),
      viaPortkey: summarize(portkeyMs),
      addedP50Ms: round(percentile(portkeyMs, 50) - percentile(directMs, 50)),
      addedP99Ms: round(percentile(portkeyMs, 99) - percentile(directMs, 99)),
    };
  } finally {
    await gateway.stop();
  }
}

/** The server's CPU profile (the biggest file node wrote): top self time during each load, and by file over the run. */
function readProfile(windows: Record<string, Window>) {
  const files = readdirSync(PROFILE_DIR)
    .filter((file) => file.endsWith(".cpuprofile"))
    .map((file) => join(PROFILE_DIR, file))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) return { file: null, note: "no .cpuprofile was written (did next start exit cleanly?)" };
  const profile = JSON.parse(readFileSync(files[0]!, "utf8")) as CpuProfile;
  return {
    file: files[0]!,
    seconds: round((profile.endTime - profile.startTime) / 1e6, 1),
    byLoad: Object.fromEntries(
      Object.entries(windows).map(([name, window]) => [
        name,
        { functions: topSelfTime(profile, { limit: 15, window }), files: topSelfTime(profile, { by: "file", limit: 8, window }) },
      ]),
    ),
    wholeRunFiles: topSelfTime(profile, { by: "file", limit: 10 }),
  };
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
