import "server-only";
import { and, asc, desc, eq, gte, ilike, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { rowsOf } from "@/db/rows";
import { auditLog, feedback, subscriptions, users } from "@/db/schema";
import { MODEL_CATALOGUE } from "@/lib/ai/catalogue";
import { utcDay } from "@/lib/time";

// The operator console's reads. Anything that spans days reads the daily rollups (audit_daily,
// kept by a trigger; usage_daily and budget_daily, kept by the guard), never the whole log;
// only the last 24 hours (latency percentiles) and one page of rows read audit_log itself.
// `npm run bench:console` times each of these at one million audit rows.

/**
 * Model calls are audited under their feature's name ("chat", "summarize"); everything else
 * (admin actions, account events) as "area.verb". The console's AI figures skip the latter.
 */
const AI_ACTIONS_ONLY = sql`position('.' in action) = 0`;

export const OUTCOME_GROUPS = [
  "served",
  "cached",
  "rate limited",
  "over quota",
  "budget",
  "moderated",
  "invalid input",
  "upstream error",
  "aborted",
  "lost",
  "other",
] as const;
export type OutcomeGroup = (typeof OUTCOME_GROUPS)[number];

/** The console's outcome groups: a raw outcome is "served", "aborted", "lost" or an error code. */
export function outcomeGroup(outcome: string, cacheHit: boolean): OutcomeGroup {
  switch (outcome) {
    case "served":
      return cacheHit ? "cached" : "served";
    case "rate_limited":
      return "rate limited";
    case "quota_exceeded":
      return "over quota";
    case "budget_exhausted":
      return "budget";
    case "moderated":
      return "moderated";
    case "invalid_input":
    case "message_too_long":
    case "model_not_allowed":
    case "invalid_request_token":
    case "replayed_request":
      return "invalid input";
    case "upstream_error":
    case "upstream_timeout":
    case "upstream_rate_limited":
    case "invalid_model_output":
      return "upstream error";
    case "aborted":
      return "aborted";
    case "lost":
      return "lost";
    default:
      return "other";
  }
}

/** Outcomes the abuse view counts as refusals a script would cause. */
export const ABUSE_OUTCOMES = [
  "rate_limited",
  "replayed_request",
  "invalid_request_token",
  "invalid_input",
  "message_too_long",
  "model_not_allowed",
  "moderated",
];

const daysAgo = (days: number, from = new Date()) => utcDay(new Date(from.getTime() - days * 86_400_000));
export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const num = (value: unknown) => Number(value ?? 0);

export type SpendTotals = {
  day: string;
  todayMicros: number;
  todayReservedMicros: number;
  monthMicros: number;
  monthReservedMicros: number;
};

/** Today's and this month's global spend (settled, and reserved by requests in flight). */
export async function spendTotals(day = utcDay()): Promise<SpendTotals> {
  const db = await getDb();
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select
        coalesce(sum(cost_micros) filter (where day = ${day}::date), 0) as today,
        coalesce(sum(reserved_micros) filter (where day = ${day}::date), 0) as today_reserved,
        coalesce(sum(cost_micros), 0) as month,
        coalesce(sum(reserved_micros), 0) as month_reserved
      from budget_daily where day >= ${monthStart(day)}::date and day <= ${day}::date`),
  );
  return {
    day,
    todayMicros: num(row?.today),
    todayReservedMicros: num(row?.today_reserved),
    monthMicros: num(row?.month),
    monthReservedMicros: num(row?.month_reserved),
  };
}

export type DailyPoint = { day: string; model: string; requests: number; costMicros: number };

/** Requests and spend per day and model over the last `days` days (AI features only). */
export async function dailySeries(days = 30, today = utcDay()): Promise<DailyPoint[]> {
  const db = await getDb();
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select to_char(day, 'YYYY-MM-DD') as day, model, sum(requests) as requests, sum(cost_micros) as cost
      from audit_daily
      where day > ${today}::date - ${days}::int and day <= ${today}::date and ${AI_ACTIONS_ONLY}
      group by day, model order by day, model`),
  );
  return rows.map((row) => ({
    day: String(row.day),
    model: String(row.model) || "none",
    requests: num(row.requests),
    costMicros: num(row.cost),
  }));
}

export type OutcomeSummary = {
  byGroup: Record<OutcomeGroup, number>;
  total: number;
  cacheHitRate: number | null;
  savedMicros: number;
  costMicros: number;
  byModel: Array<{ model: string; requests: number; costMicros: number }>;
};

/** Requests by outcome group, the cache's hit rate and savings, and spend by model. */
export async function outcomeSummary(days = 30, today = utcDay()): Promise<OutcomeSummary> {
  const db = await getDb();
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select outcome, cache_hit, model, sum(requests) as requests, sum(cost_micros) as cost, sum(saved_micros) as saved
      from audit_daily
      where day > ${today}::date - ${days}::int and day <= ${today}::date and ${AI_ACTIONS_ONLY}
      group by outcome, cache_hit, model`),
  );
  const byGroup = Object.fromEntries(OUTCOME_GROUPS.map((group) => [group, 0])) as Record<OutcomeGroup, number>;
  const models = new Map<string, { requests: number; costMicros: number }>();
  let total = 0;
  let savedMicros = 0;
  let costMicros = 0;
  for (const row of rows) {
    const requests = num(row.requests);
    byGroup[outcomeGroup(String(row.outcome), Boolean(row.cache_hit))] += requests;
    total += requests;
    savedMicros += num(row.saved);
    costMicros += num(row.cost);
    const model = String(row.model) || "none";
    const entry = models.get(model) ?? { requests: 0, costMicros: 0 };
    entry.requests += requests;
    entry.costMicros += num(row.cost);
    models.set(model, entry);
  }
  const answered = byGroup.served + byGroup.cached;
  return {
    byGroup,
    total,
    cacheHitRate: answered === 0 ? null : byGroup.cached / answered,
    savedMicros,
    costMicros,
    byModel: [...models.entries()]
      .filter(([model]) => model !== "none")
      .map(([model, value]) => ({ model, ...value }))
      .sort((a, b) => b.costMicros - a.costMicros),
  };
}

export type LatencySummary = {
  requests: number;
  guardP50: number | null;
  guardP95: number | null;
  firstTokenP50: number | null;
  firstTokenP95: number | null;
};

/** p50 / p95 of the guard's own time and of the model's first token, over the last 24 hours' newest 5,000 model calls. */
export async function latencySummary(now = new Date()): Promise<LatencySummary> {
  const db = await getDb();
  const since = new Date(now.getTime() - 86_400_000);
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select count(*) as requests,
        percentile_cont(0.5) within group (order by (details->'timings'->>'guard_total')::float8) as guard_p50,
        percentile_cont(0.95) within group (order by (details->'timings'->>'guard_total')::float8) as guard_p95,
        percentile_cont(0.5) within group (order by (details->'timings'->>'upstream_first_token')::float8) as ttft_p50,
        percentile_cont(0.95) within group (order by (details->'timings'->>'upstream_first_token')::float8) as ttft_p95
      from (
        -- The newest 5,000 model calls of the last 24 hours: a fixed cost however busy the day.
        select details from audit_log
        where outcome = 'served' and created_at >= ${since.toISOString()}::timestamptz and not cache_hit
        order by created_at desc limit 5000
      ) recent`),
  );
  const ms = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);
  return {
    requests: num(row?.requests),
    guardP50: ms(row?.guard_p50),
    guardP95: ms(row?.guard_p95),
    firstTokenP50: ms(row?.ttft_p50),
    firstTokenP95: ms(row?.ttft_p95),
  };
}

export type ModelSpend = { model: string; requests: number; tokens: number; costMicros: number };
export type ProviderSpend = { provider: string; requests: number; tokens: number; costMicros: number; models: ModelSpend[] };

/**
 * Requests, tokens (input + output) and cost by provider, then model, over the last `days` days
 * (AI features only; every outcome, refusals included, since a refused request was still asked
 * of that model). One statement on audit_daily, the audit log's rollup (its key starts with the
 * day); the provider is the catalogue's, so a model no longer in it shows as "unknown". Both
 * levels go dearest first.
 */
export async function spendByProviderModel(days = 30, today = utcDay()): Promise<ProviderSpend[]> {
  const db = await getDb();
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select model, sum(requests) as requests, sum(input_tokens + output_tokens) as tokens, sum(cost_micros) as cost
      from audit_daily
      where day > ${today}::date - ${days}::int and day <= ${today}::date and ${AI_ACTIONS_ONLY} and model <> ''
      group by model`),
  );
  const providers = new Map<string, ProviderSpend>();
  for (const row of rows) {
    const model = String(row.model);
    const spend = { model, requests: num(row.requests), tokens: num(row.tokens), costMicros: num(row.cost) };
    const provider = Object.hasOwn(MODEL_CATALOGUE, model) ? MODEL_CATALOGUE[model]!.provider : "unknown";
    const entry = providers.get(provider) ?? { provider, requests: 0, tokens: 0, costMicros: 0, models: [] };
    entry.requests += spend.requests;
    entry.tokens += spend.tokens;
    entry.costMicros += spend.costMicros;
    entry.models.push(spend);
    providers.set(provider, entry);
  }
  const dearestFirst = (a: { costMicros: number; requests: number }, b: { costMicros: number; requests: number }) =>
    b.costMicros - a.costMicros || b.requests - a.requests;
  return [...providers.values()].map((entry) => ({ ...entry, models: entry.models.sort(dearestFirst) })).sort(dearestFirst);
}

export type TopUser = { userId: string; email: string | null; requests: number; costMicros: number };

/** The users who cost the most over the last `days` days (from the per-user daily rows). */
export async function topUsersByCost(days = 30, limit = 10, today = utcDay()): Promise<TopUser[]> {
  const db = await getDb();
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select t.user_id, u.email, t.requests, t.cost from (
        select user_id, sum(requests) as requests, sum(cost_micros) as cost
        from usage_daily where day > ${today}::date - ${days}::int and day <= ${today}::date
        group by user_id order by sum(cost_micros) desc limit ${limit}
      ) t left join users u on u.id = t.user_id
      order by t.cost desc`),
  );
  return rows.map((row) => ({
    userId: String(row.user_id),
    email: (row.email as string | null) ?? null,
    requests: num(row.requests),
    costMicros: num(row.cost),
  }));
}

export type FeedbackRate = { action: string; model: string; served: number; up: number; down: number };

/** Down-votes against answers served per feature and model, over the last `days` days. */
export async function feedbackRates(days = 30, today = utcDay()): Promise<FeedbackRate[]> {
  const db = await getDb();
  const since = `${daysAgo(days - 1, new Date(`${today}T00:00:00Z`))}T00:00:00Z`;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with served as (
        select action, model, sum(requests) as served from audit_daily
        where day > ${today}::date - ${days}::int and day <= ${today}::date and outcome = 'served' and ${AI_ACTIONS_ONLY}
        group by action, model
      ), votes as (
        select action, coalesce(model, '') as model,
          count(*) filter (where rating = 1) as up, count(*) filter (where rating = -1) as down
        from feedback where created_at >= ${since}::timestamptz
        group by 1, 2
      )
      select s.action, s.model, s.served, coalesce(v.up, 0) as up, coalesce(v.down, 0) as down
      from served s left join votes v on v.action = s.action and v.model = s.model
      order by s.served desc`),
  );
  return rows.map((row) => ({
    action: String(row.action),
    model: String(row.model),
    served: num(row.served),
    up: num(row.up),
    down: num(row.down),
  }));
}

// ---- The audit log browser -------------------------------------------------------------------

/** The audit log's orders: both on every (…, created_at, id) index, read forwards or backwards. */
export const AUDIT_SORTS = ["newest", "oldest"] as const;
export type AuditSort = (typeof AUDIT_SORTS)[number];

export type AuditFilters = {
  sort?: AuditSort;
  email?: string;
  action?: string;
  outcome?: string;
  model?: string;
  cacheHit?: boolean;
  /** UTC days, inclusive. */
  from?: string;
  to?: string;
  /** The previous page's last row: this page continues past it in the view's order (older rows newest first, newer oldest first). */
  before?: number;
};

/** The where-clause for a set of filters; null when the email matches no user (no rows). */
async function auditWhere(filters: AuditFilters): Promise<SQL | undefined | null> {
  const conditions: SQL[] = [];
  if (filters.email) {
    const db = await getDb();
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, filters.email.trim().toLowerCase())).limit(1);
    if (!user) return null;
    conditions.push(eq(auditLog.userId, user.id));
  }
  if (filters.action) conditions.push(eq(auditLog.action, filters.action));
  if (filters.outcome) conditions.push(eq(auditLog.outcome, filters.outcome));
  if (filters.model) conditions.push(eq(auditLog.model, filters.model));
  if (filters.cacheHit !== undefined) conditions.push(eq(auditLog.cacheHit, filters.cacheHit));
  if (filters.from) conditions.push(gte(auditLog.createdAt, new Date(`${filters.from}T00:00:00Z`)));
  if (filters.to) conditions.push(lt(auditLog.createdAt, new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000)));
  // Newest first is (created_at, id) descending, oldest first ascending; the cursor row's own
  // values are read in SQL, so no timestamp precision is lost on the way through the URL.
  if (filters.before !== undefined) {
    const cursor = sql`(select c.created_at, c.id from audit_log c where c.id = ${filters.before})`;
    conditions.push(
      filters.sort === "oldest"
        ? sql`(${auditLog.createdAt}, ${auditLog.id}) > ${cursor}`
        : sql`(${auditLog.createdAt}, ${auditLog.id}) < ${cursor}`,
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

const listColumns = {
  id: auditLog.id,
  requestId: auditLog.requestId,
  createdAt: auditLog.createdAt,
  userId: auditLog.userId,
  email: users.email,
  action: auditLog.action,
  outcome: auditLog.outcome,
  model: auditLog.model,
  inputTokens: auditLog.inputTokens,
  outputTokens: auditLog.outputTokens,
  costMicros: auditLog.costMicros,
  cacheHit: auditLog.cacheHit,
  latencyMs: auditLog.latencyMs,
  ipHash: auditLog.ipHash,
};

async function selectAuditRows(where: SQL | undefined, limit: number, sort: AuditSort = "newest") {
  const db = await getDb();
  const direction = sort === "oldest" ? asc : desc;
  return db
    .select(listColumns)
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(where)
    .orderBy(direction(auditLog.createdAt), direction(auditLog.id))
    .limit(limit);
}

export type AuditListRow = Awaited<ReturnType<typeof selectAuditRows>>[number];

/** One page of audit rows in the view's order (newest first by default); `nextBefore` is the cursor of the next page. */
export async function listAuditRows(filters: AuditFilters, limit = 50): Promise<{ rows: AuditListRow[]; nextBefore: number | null }> {
  const where = await auditWhere(filters);
  if (where === null) return { rows: [], nextBefore: null };
  const rows = await selectAuditRows(where, limit + 1, filters.sort);
  const page = rows.slice(0, limit);
  return { rows: page, nextBefore: rows.length > limit ? page.at(-1)!.id : null };
}

/** Every filtered row, in the view's order, in pages (for the CSV export: never all in memory). */
export async function* allAuditRows(filters: AuditFilters, pageSize = 1000): AsyncGenerator<AuditListRow[]> {
  let before = filters.before;
  for (;;) {
    const { rows, nextBefore } = await listAuditRows({ ...filters, before }, pageSize);
    if (rows.length) yield rows;
    if (nextBefore === null) return;
    before = nextBefore;
  }
}

export async function getAuditRow(id: number) {
  const db = await getDb();
  const [row] = await db
    .select({
      ...listColumns,
      promptHash: auditLog.promptHash,
      priceVersion: auditLog.priceVersion,
      promptText: auditLog.promptText,
      responseText: auditLog.responseText,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(eq(auditLog.id, id))
    .limit(1);
  return row ?? null;
}

/** The distinct features and models seen in the last 30 days (for the filter menus). */
export async function auditFilterChoices(today = utcDay()): Promise<{ actions: string[]; models: string[]; outcomes: string[] }> {
  const db = await getDb();
  const rows = rowsOf<{ action: string; model: string; outcome: string }>(
    await db.execute(sql`select distinct action, model, outcome from audit_daily where day > ${today}::date - 30`),
  );
  const sorted = (values: string[]) => [...new Set(values.filter(Boolean))].sort();
  return {
    actions: sorted(rows.map((r) => r.action)),
    models: sorted(rows.map((r) => r.model)),
    outcomes: sorted(rows.map((r) => r.outcome)),
  };
}

// ---- Users ------------------------------------------------------------------------------------

export type ConsoleUser = {
  id: string;
  email: string | null;
  role: string;
  createdAt: Date;
  emailVerified: Date | null;
  blockedAt: Date | null;
  subscription: typeof subscriptions.$inferSelect | null;
  todayRequests: number;
  todayTokens: number;
  costMicros30d: number;
};

export const USER_SORTS = ["newest", "email"] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** Users newest first (or by email: the unique index), optionally those whose email contains `search`, with their usage. */
export async function listConsoleUsers(
  options: { search?: string; page?: number; pageSize?: number; today?: string; sort?: UserSort } = {},
): Promise<{ users: ConsoleUser[]; hasMore: boolean }> {
  const { search, page = 0, pageSize = 50, today = utcDay(), sort = "newest" } = options;
  const db = await getDb();
  const pattern = search
    ? `%${search
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    : null;
  // The page of users first; their usage only for that page (not for the rows skipped).
  const pageOfUsers = db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      createdAt: users.createdAt,
      emailVerified: users.emailVerified,
      blockedAt: users.blockedAt,
    })
    .from(users)
    .where(pattern ? ilike(users.email, pattern) : undefined)
    .orderBy(...(sort === "email" ? [asc(users.email), asc(users.id)] : [desc(users.createdAt), desc(users.id)]))
    .limit(pageSize + 1)
    .offset(page * pageSize)
    .as("page_users");
  const rows = await db
    .select({
      id: pageOfUsers.id,
      email: pageOfUsers.email,
      role: pageOfUsers.role,
      createdAt: pageOfUsers.createdAt,
      emailVerified: pageOfUsers.emailVerified,
      blockedAt: pageOfUsers.blockedAt,
      subscription: subscriptions,
      todayRequests: sql<number>`coalesce((select requests from usage_daily where user_id = ${pageOfUsers.id} and day = ${today}::date), 0)`,
      todayTokens: sql<number>`coalesce((select tokens_used + tokens_reserved from usage_daily where user_id = ${pageOfUsers.id} and day = ${today}::date), 0)`,
      costMicros30d: sql<number>`coalesce((select sum(cost_micros) from usage_daily where user_id = ${pageOfUsers.id} and day > ${today}::date - 30), 0)`,
    })
    .from(pageOfUsers)
    .leftJoin(subscriptions, eq(subscriptions.userId, pageOfUsers.id))
    .orderBy(...(sort === "email" ? [asc(pageOfUsers.email), asc(pageOfUsers.id)] : [desc(pageOfUsers.createdAt), desc(pageOfUsers.id)]));
  return {
    users: rows.slice(0, pageSize).map((row) => ({
      ...row,
      todayRequests: num(row.todayRequests),
      todayTokens: num(row.todayTokens),
      costMicros30d: num(row.costMicros30d),
    })),
    hasMore: rows.length > pageSize,
  };
}

// ---- Abuse --------------------------------------------------------------------------------------

export type RefusalCount = {
  key: string;
  email: string | null;
  refusals: number;
  byOutcome: Record<string, number>;
  users?: number;
  lastAt: Date;
};

/**
 * The abuse view's orders. Each sorts the groups the window's scan produced (on
 * audit_log_outcome_created_id_idx), so the scan, and its cost, is the same for all three.
 */
export const REFUSAL_SORTS = ["refusals", "latest", "accounts"] as const;
export type RefusalSort = (typeof REFUSAL_SORTS)[number];

const REFUSAL_ORDER: Record<RefusalSort, SQL> = {
  refusals: sql`count(*) desc, max(created_at) desc, key`,
  latest: sql`max(created_at) desc, count(*) desc, key`,
  accounts: sql`count(distinct user_id) desc, count(*) desc, key`,
};

/**
 * Who collects the most script-like refusals (rate limited, replayed, invalid, moderated) since
 * the last `windowHours`: grouped by user or by hashed IP, with the count per outcome, the latest
 * refusal and, for an IP, how many accounts it came as. Sorted and paged (`offset`) on the server.
 */
export async function refusalLeaders(
  by: "user" | "ip",
  windowHours: number,
  options: { sort?: RefusalSort; limit?: number; offset?: number } = {},
): Promise<RefusalCount[]> {
  const { sort = "refusals", limit = 20, offset = 0 } = options;
  const db = await getDb();
  const since = new Date(Date.now() - windowHours * 3_600_000);
  const key = by === "user" ? sql`user_id` : sql`ip_hash`;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      with refused as (
        select ${key} as key, user_id, outcome, created_at from audit_log
        where created_at >= ${since.toISOString()}::timestamptz and outcome in ${ABUSE_OUTCOMES} and ${key} is not null
      ), top as (
        select key, count(*) as refusals, count(distinct user_id) as users, max(created_at) as last_at,
          row_number() over (order by ${REFUSAL_ORDER[sort]}) as position
        from refused group by key order by ${REFUSAL_ORDER[sort]} limit ${limit} offset ${offset}
      )
      select top.key, top.refusals, top.users, top.last_at, u.email,
        (select jsonb_object_agg(outcome, n) from (select outcome, count(*) as n from refused r where r.key = top.key group by outcome) o) as by_outcome
      from top left join users u on ${by === "user" ? sql`u.id = top.key` : sql`false`}
      order by top.position`),
  );
  return rows.map((row) => ({
    key: String(row.key),
    email: (row.email as string | null) ?? null,
    refusals: num(row.refusals),
    byOutcome: byOutcome(row.by_outcome),
    users: num(row.users),
    lastAt: new Date(String(row.last_at)),
  }));
}

function byOutcome(value: unknown): Record<string, number> {
  const parsed = (typeof value === "string" ? JSON.parse(value) : value) as Record<string, unknown> | null;
  return Object.fromEntries(Object.entries(parsed ?? {}).map(([key, count]) => [key, num(count)]));
}

/** Email sign-ups per hashed IP since `windowDays` ago: many accounts from one address is a script. */
export async function accountsPerIp(
  windowDays = 30,
  limit = 20,
): Promise<Array<{ ipHash: string; accounts: number; blocked: number; lastAt: Date }>> {
  const db = await getDb();
  const since = new Date(Date.now() - windowDays * 86_400_000);
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select signup_ip_hash, count(*) as accounts, count(blocked_at) as blocked, max(created_at) as last_at from users
      where signup_ip_hash is not null and created_at >= ${since.toISOString()}::timestamptz
      group by signup_ip_hash order by count(*) desc limit ${limit}`),
  );
  return rows.map((row) => ({
    ipHash: String(row.signup_ip_hash),
    accounts: num(row.accounts),
    blocked: num(row.blocked),
    lastAt: new Date(String(row.last_at)),
  }));
}

// ---- Feedback -----------------------------------------------------------------------------------

/** The feedback view's orders: feedback_rating_created_idx (rating, created_at) read either way. */
export const FEEDBACK_SORTS = ["newest", "oldest"] as const;
export type FeedbackSort = (typeof FEEDBACK_SORTS)[number];

/**
 * Down-voted answers, newest (or oldest) first, with the prompt and response when the audit row
 * kept them. `offset` pages through them on feedback_rating_created_idx (rating, created_at).
 */
export async function downvotedAnswers(limit = 50, offset = 0, sort: FeedbackSort = "newest") {
  const db = await getDb();
  const direction = sort === "oldest" ? asc : desc;
  return db
    .select({
      requestId: feedback.requestId,
      votedAt: feedback.createdAt,
      note: feedback.note,
      action: feedback.action,
      model: feedback.model,
      email: users.email,
      auditId: auditLog.id,
      promptText: auditLog.promptText,
      responseText: auditLog.responseText,
    })
    .from(feedback)
    .leftJoin(auditLog, eq(auditLog.requestId, feedback.requestId))
    .leftJoin(users, eq(users.id, feedback.userId))
    .where(eq(feedback.rating, -1))
    .orderBy(direction(feedback.createdAt), direction(feedback.requestId))
    .limit(limit)
    .offset(offset);
}

export type SemanticCacheSummary = { hits: number; savedMicros: number; embeddingMicros: number };

/**
 * The semantic cache's hits and savings, apart from the exact cache's (both are in the cache
 * figures above). Read from audit_log through its partial index on semantic hits, which stay a
 * small share of the rows. `embeddingMicros`: what those hits' embedding calls cost.
 */
export async function semanticCacheSummary(days = 30, today = utcDay()): Promise<SemanticCacheSummary> {
  const db = await getDb();
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select count(*) as hits, coalesce(sum((details->>'savedMicros')::bigint), 0) as saved, coalesce(sum(cost_micros), 0) as cost
      from audit_log
      where details->>'cache' = 'semantic' and created_at >= (${today}::date - ${days - 1}::int)::timestamptz and outcome = 'served'`),
  );
  return { hits: num(row?.hits), savedMicros: num(row?.saved), embeddingMicros: num(row?.cost) };
}

/**
 * Requests settled above their reservation (clamped to it; lib/guard/index.ts): the reservation
 * is meant to be a true upper bound, so anything but 0 is a bug to look into.
 */
export async function reservationBreaches(days = 30, today = utcDay()): Promise<number> {
  const db = await getDb();
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select count(*) as breaches from audit_log
      where created_at >= (${today}::date - ${days - 1}::int)::timestamptz and details ? 'reservationBreach'`),
  );
  return num(row?.breaches);
}

// ---- One user (/admin/users/[id]) ---------------------------------------------------------------

export type ConsoleUserDetail = {
  id: string;
  email: string | null;
  name: string | null;
  createdAt: Date;
  emailVerified: Date | null;
  blockedAt: Date | null;
  sessionVersion: number;
  subscription: typeof subscriptions.$inferSelect | null;
};

/** One user with their subscription row, or null. */
export async function getConsoleUser(id: string): Promise<ConsoleUserDetail | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      createdAt: users.createdAt,
      emailVerified: users.emailVerified,
      blockedAt: users.blockedAt,
      sessionVersion: users.sessionVersion,
      subscription: subscriptions,
    })
    .from(users)
    .leftJoin(subscriptions, eq(subscriptions.userId, users.id))
    .where(eq(users.id, id))
    .limit(1);
  return row ?? null;
}

export type UserDay = { day: string; requests: number; tokens: number; costMicros: number };

/** One user's requests, tokens and spend per UTC day over the last `days` days (usage_daily's primary key). */
export async function userDailyUsage(userId: string, days = 30, today = utcDay()): Promise<UserDay[]> {
  const db = await getDb();
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select to_char(day, 'YYYY-MM-DD') as day, requests, tokens_used + tokens_reserved as tokens, cost_micros
      from usage_daily where user_id = ${userId} and day > ${today}::date - ${days}::int and day <= ${today}::date
      order by day`),
  );
  return rows.map((row) => ({
    day: String(row.day),
    requests: num(row.requests),
    tokens: num(row.tokens),
    costMicros: num(row.cost_micros),
  }));
}

/** One user's newest audit rows (audit_log_user_created_id_idx). */
export async function userRecentRequests(userId: string, limit = 20): Promise<AuditListRow[]> {
  return selectAuditRows(eq(auditLog.userId, userId), limit);
}

/** The votes one user gave, newest first, with the audit row each answer came from. */
export async function userFeedback(userId: string, limit = 20) {
  const db = await getDb();
  return db
    .select({
      requestId: feedback.requestId,
      rating: feedback.rating,
      note: feedback.note,
      action: feedback.action,
      model: feedback.model,
      votedAt: feedback.createdAt,
      auditId: auditLog.id,
    })
    .from(feedback)
    .leftJoin(auditLog, eq(auditLog.requestId, feedback.requestId))
    .where(eq(feedback.userId, userId))
    .orderBy(desc(feedback.createdAt))
    .limit(limit);
}
