// `npm run bench:console`: the operator console's queries at scale. Loads AUDIT_ROWS (default
// 1,000,000) audit rows spread over 30 days, 2,000 users and their usage rows into a fresh
// PostgreSQL database (generate_series, in SQL), then times every query each console page
// runs, through the app's own query functions, and prints the p50 and p95 of each and of each
// page's whole set. Writes bench/results/console.json. Not a test: nothing here asserts a time.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import postgres from "postgres";
import { withConsoleSection, type ConsoleBenchResults } from "./console-report";
import { BASE_DATABASE_URL } from "../tests/support/sentinels";
import { createRunDatabase, runDatabaseName } from "../tests/support/test-database";

const ROWS = Number(process.env.AUDIT_ROWS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const KEEP = process.env.BENCH_KEEP_DATABASE === "1";

const database = await createRunDatabase(BASE_DATABASE_URL, runDatabaseName("bench_console"));
const sql = postgres(database.url, { max: 1, onnotice: () => {} });
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

try {
  const started = performance.now();
  // Users: one in ten verified, a few admins; email user-N@example.com.
  await sql`
    insert into users (id, email, role, created_at, email_verified, signup_ip_hash)
    select 'user-' || n, 'user-' || n || '@example.com', case when n <= 3 then 'admin' else 'user' end,
      now() - (n || ' minutes')::interval, case when n % 10 = 0 then now() end, substr(md5((n % 700)::text), 1, 32)
    from generate_series(1, ${USERS}) n`;
  await sql`insert into subscriptions (user_id, plan) select 'user-' || n, 'pro' from generate_series(1, ${USERS}, 7) n`;

  // Audit rows over the last 30 days. The row-by-row rollup trigger is switched off for the bulk
  // load, and the rollup is built once afterwards with the same arithmetic (the migration's
  // backfill); the trigger's own cost per insert is measured separately below.
  await sql`alter table audit_log disable trigger audit_log_daily_rollup`;
  const outcome = sql`case
      when r < 0.70 then 'served' when r < 0.80 then 'served' when r < 0.85 then 'rate_limited'
      when r < 0.89 then 'quota_exceeded' when r < 0.90 then 'budget_exhausted' when r < 0.905 then 'moderated'
      when r < 0.93 then 'invalid_input' when r < 0.935 then 'replayed_request' when r < 0.955 then 'upstream_error'
      when r < 0.99 then 'aborted' else 'lost' end`;
  await sql`
    insert into audit_log (request_id, user_id, created_at, action, outcome, model, prompt_hash, input_tokens, output_tokens,
      cost_micros, cache_hit, latency_ms, ip_hash, prompt_text, response_text, details)
    select gen_random_uuid(),
      -- a few heavy users: a quarter of all rows come from the first 20 users
      'user-' || (case when n % 4 = 0 then 1 + (n / 4) % 20 else 1 + (n * 7919) % ${USERS} end),
      now() - ((${ROWS} - n)::float8 / ${ROWS} * interval '30 days'),
      case when n % 5 = 0 then 'summarize' else 'chat' end,
      ${outcome},
      case when n % 3 = 0 then 'gpt-4.1-mini' else 'gpt-4.1-nano' end,
      md5(n::text),
      case when r < 0.70 then 200 + n % 500 else 0 end,
      case when r < 0.70 then 100 + n % 400 else 0 end,
      case when r < 0.70 then 60 + n % 300 else 0 end,
      r >= 0.70 and r < 0.80,
      50 + n % 900,
      substr(md5((n % 3000)::text), 1, 32),
      case when n % 2 = 0 then 'Summarize this paragraph about item ' || n || ' in three bullet points, please.' end,
      case when n % 2 = 0 then 'Here is a short answer for item ' || n || ', with a few sentences of text that a model would write.' end,
      jsonb_build_object('timings', jsonb_build_object('session', 1.2, 'input', 0.4, 'replay', 0.8, 'rate_limit', 1.1, 'quota', 1.9,
        'guard_total', 3 + (n % 50) / 10.0, 'upstream_first_token', 200 + n % 600),
        'savedMicros', case when r >= 0.70 and r < 0.80 then 100 + n % 200 end)
    from (select n, ((n * 2654435761) % 1000) / 1000.0 as r from generate_series(1::bigint, ${ROWS}::bigint) n) s`;
  await sql`alter table audit_log enable trigger audit_log_daily_rollup`;
  await sql`
    insert into audit_daily (day, action, model, outcome, cache_hit, requests, input_tokens, output_tokens, cost_micros, saved_micros)
    select (created_at at time zone 'UTC')::date, action, coalesce(model, ''), outcome, cache_hit,
      count(*), sum(input_tokens), sum(output_tokens), sum(cost_micros),
      sum(case when cache_hit then coalesce((details->>'savedMicros')::bigint, 0) else 0 end)
    from audit_log group by 1, 2, 3, 4, 5`;
  // Per-user daily usage and the global budget rows, as the guard keeps them.
  await sql`
    insert into usage_daily (user_id, day, requests, tokens_used, cost_micros)
    select user_id, (created_at at time zone 'UTC')::date, count(*), sum(input_tokens + output_tokens), sum(cost_micros)
    from audit_log where position('.' in action) = 0 group by 1, 2`;
  await sql`
    insert into budget_daily (day, cost_micros)
    select (created_at at time zone 'UTC')::date, sum(cost_micros) from audit_log group by 1`;
  await sql`
    insert into feedback (request_id, user_id, rating, note, action, model, created_at)
    select request_id, user_id, case when id % 3 = 0 then -1 else 1 end, case when id % 3 = 0 then 'wrong answer' end, action, model, created_at
    from audit_log where outcome = 'served' and id % 200 = 0`;
  await sql`analyze`;
  const [sizeRow] = await sql<{ size: string }[]>`select pg_size_pretty(pg_total_relation_size('audit_log')) as size`;
  const size = sizeRow!.size;
  console.log(`Loaded ${ROWS.toLocaleString("en-US")} audit rows (${size}) and ${USERS} users in ${seconds(started)}.`);

  // The trigger's cost: 10,000 single-row inserts with it, then without it.
  const insertOne = () => sql`
    insert into audit_log (request_id, user_id, action, outcome, model, cost_micros, details)
    values (gen_random_uuid(), 'user-5', 'chat', 'served', 'gpt-4.1-nano', 100, '{"timings":{}}')`;
  const timeInserts = async () => {
    const began = performance.now();
    for (let i = 0; i < 2_000; i++) await insertOne();
    return (performance.now() - began) / 2_000;
  };
  const withTrigger = await timeInserts();
  await sql`alter table audit_log disable trigger audit_log_daily_rollup`;
  const withoutTrigger = await timeInserts();
  await sql`alter table audit_log enable trigger audit_log_daily_rollup`;
  console.log(`One audit insert: ${withTrigger.toFixed(3)} ms with the rollup trigger, ${withoutTrigger.toFixed(3)} ms without.`);

  // The app's own query functions, on this database.
  process.env.DATABASE_URL = database.url;
  process.env.DATABASE_POOL_MAX = "4";
  const q = await import("../db/queries/console");
  const { currentBudgets } = await import("../lib/budgets");
  const { listBudgetAlerts } = await import("../lib/guard/budget-alerts");
  const { getDb } = await import("../db");

  const [middle] = await sql<{ id: number }[]>`select id from audit_log order by id desc offset ${Math.floor(ROWS / 2)} limit 1`;
  const [last] = await sql<{ id: number }[]>`select max(id) as id from audit_log`;
  const anyId = Number(last!.id);
  const since = (hours: number) => new Date(Date.now() - hours * 3_600_000);
  const heavy = "user-1@example.com";
  const light = `user-${USERS - 1}@example.com`;

  const pages: Record<string, Record<string, () => Promise<unknown>>> = {
    overview: {
      spendTotals: () => q.spendTotals(),
      currentBudgets: () => currentBudgets(),
      dailySeries: () => q.dailySeries(30),
      outcomeSummary: () => q.outcomeSummary(30),
      latencySummary: () => q.latencySummary(),
      topUsersByCost: () => q.topUsersByCost(30, 10),
      feedbackRates: () => q.feedbackRates(30),
    },
    audit: {
      "newest 50": () => q.listAuditRows({}),
      "filter menus": () => q.auditFilterChoices(),
      "user (heavy)": () => q.listAuditRows({ email: heavy }),
      "user (light)": () => q.listAuditRows({ email: light }),
      "outcome moderated": () => q.listAuditRows({ outcome: "moderated" }),
      "model + cache hit": () => q.listAuditRows({ model: "gpt-4.1-mini", cacheHit: true }),
      "feature + outcome": () => q.listAuditRows({ action: "summarize", outcome: "lost" }),
      "date range (1 day, 20 days ago)": () => {
        const day = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
        return q.listAuditRows({ from: day, to: day });
      },
      "half-way page (cursor)": () => q.listAuditRows({ before: middle!.id }),
      "user + outcome + 7 days": () =>
        q.listAuditRows({
          email: heavy,
          outcome: "rate_limited",
          from: since(24 * 7)
            .toISOString()
            .slice(0, 10),
        }),
      "oldest 50": () => q.listAuditRows({ sort: "oldest" }),
      "oldest, user (heavy)": () => q.listAuditRows({ sort: "oldest", email: heavy }),
      "oldest, half-way page (cursor)": () => q.listAuditRows({ sort: "oldest", before: middle!.id }),
      "row detail": () => q.getAuditRow(anyId),
      "csv first 1000": async () => (await q.allAuditRows({ outcome: "aborted" }, 1000).next()).value,
    },
    users: {
      "newest 50": () => q.listConsoleUsers({}),
      search: () => q.listConsoleUsers({ search: "user-19" }),
      "page 20": () => q.listConsoleUsers({ page: 20 }),
      "by email": () => q.listConsoleUsers({ sort: "email" }),
      "by email, page 20": () => q.listConsoleUsers({ sort: "email", page: 20 }),
    },
    budgets: {
      currentBudgets: () => currentBudgets(),
      spendTotals: () => q.spendTotals(),
      listBudgetAlerts: () => listBudgetAlerts(),
    },
    // The abuse view shows one of these at a time (?by=&window=&sort=&page=): the page's figure is the slowest one's.
    abuse: {
      "users, last hour": () => q.refusalLeaders("user", 1, { limit: 26 }),
      "users, last day": () => q.refusalLeaders("user", 24, { limit: 26 }),
      "IPs, last hour": () => q.refusalLeaders("ip", 1, { limit: 26 }),
      "IPs, last day": () => q.refusalLeaders("ip", 24, { limit: 26 }),
      "users, last day, by latest": () => q.refusalLeaders("user", 24, { sort: "latest", limit: 26 }),
      "IPs, last day, by accounts, page 3": () => q.refusalLeaders("ip", 24, { sort: "accounts", limit: 26, offset: 50 }),
    },
    feedback: {
      "down-voted answers": () => q.downvotedAnswers(21),
      "oldest first": () => q.downvotedAnswers(21, 0, "oldest"),
      "page 5": () => q.downvotedAnswers(21, 80),
    },
  };
  const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  type Timing = { p50: number; p95: number };
  const time = async (run: () => Promise<unknown>): Promise<Timing> => {
    await run(); // warm: connection, plan cache
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const began = performance.now();
      await run();
      samples.push(performance.now() - began);
    }
    const sorted = samples.sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 10) / 10;
    return { p50: round(quantile(sorted, 0.5)), p95: round(quantile(sorted, 0.95)) };
  };

  // Views that show one of their variants at a time (abuse: one grouping and window).
  const ONE_AT_A_TIME = new Set(["abuse"]);
  const results: Record<string, { page: Timing; queries: Record<string, Timing> }> = {};
  const loadAtStart = loadavg().map((value) => Math.round(value * 10) / 10);
  for (const [page, queries] of Object.entries(pages)) {
    const timings: Record<string, Timing> = {};
    for (const [name, run] of Object.entries(queries)) timings[name] = await time(run);
    // A page runs its queries in parallel; its data time is that of the whole set, or, for a view
    // that runs one variant per request, that of its slowest variant.
    const whole = ONE_AT_A_TIME.has(page)
      ? Object.values(timings).reduce((worst, t) => (t.p95 > worst.p95 ? t : worst))
      : await time(() => Promise.all(Object.values(queries).map((run) => run())));
    results[page] = { page: whole, queries: timings };
    console.log(
      `\n${page}: ${ONE_AT_A_TIME.has(page) ? "slowest variant" : "all queries together"} p50 ${whole.p50} ms, p95 ${whole.p95} ms`,
    );
    for (const [name, value] of Object.entries(timings)) console.log(`  ${name.padEnd(36)} p50 ${value.p50} ms  p95 ${value.p95} ms`);
  }
  mkdirSync("bench/results", { recursive: true });
  const run: ConsoleBenchResults = {
    rows: ROWS,
    users: USERS,
    runs: RUNS,
    auditLogSize: size,
    insertMs: { withTrigger, withoutTrigger },
    results,
    at: new Date().toISOString(),
    loadAverage: { start: loadAtStart, end: loadavg().map((value) => Math.round(value * 10) / 10) },
  };
  writeFileSync("bench/results/console.json", `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync("BENCHMARKS.md", withConsoleSection(readFileSync("BENCHMARKS.md", "utf8"), run));
  const db = (await getDb()) as unknown as { $client: { end: () => Promise<void> } };
  await db.$client.end();
} finally {
  await sql.end();
  if (KEEP) console.log(`Kept database ${database.url}`);
  else await database.drop();
}
