import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  smallint,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  vector,
} from "drizzle-orm/pg-core";
import type { AdapterAccountType } from "next-auth/adapters";
import { EMBEDDING_DIMENSIONS } from "../lib/ai/models";

// Money is integer micro-dollars (1 USD = 1_000_000); days are UTC dates ("YYYY-MM-DD").
// Column property names of users and accounts are the ones the Auth.js drizzle adapter uses.

export const ROLES = ["user", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable(
  "users",
  {
    id: text("id")
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text("name"),
    email: text("email").unique(),
    emailVerified: timestamp("email_verified", { mode: "date", withTimezone: true }),
    image: text("image"),
    passwordHash: text("password_hash"),
    role: text("role", { enum: ROLES }).notNull().default("user"),
    /** Every session cookie carries the version it was issued under; bumping it revokes them all. */
    sessionVersion: integer("session_version").notNull().default(0),
    /** Null: active. Set: the user cannot sign in and every existing session is refused. */
    blockedAt: timestamp("blocked_at", { mode: "date", withTimezone: true }),
    /** Keyed hash of the IP an email sign-up came from (the console's accounts-per-IP view). */
    signupIpHash: text("signup_ip_hash"),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("users_signup_ip_created_idx").on(table.signupIpHash, table.createdAt)],
);

export const accounts = pgTable(
  "accounts",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").$type<AdapterAccountType>().notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
    /**
     * When the owner confirmed this sign-in method: a sign-up through the provider, or "Connect"
     * on /account after proving it is them. Null: linked before that rule (possibly by a session
     * thief); a password reset removes it.
     */
    confirmedAt: timestamp("confirmed_at", { mode: "date", withTimezone: true }).defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.provider, table.providerAccountId] })],
);

/** One row per user who has ever had a paid plan; no row means the free plan. */
export const subscriptions = pgTable("subscriptions", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  stripeCustomerId: text("stripe_customer_id").unique(),
  stripeSubscriptionId: text("stripe_subscription_id").unique(),
  status: text("status"),
  stripePriceId: text("stripe_price_id"),
  plan: text("plan").notNull().default("free"),
  currentPeriodEnd: timestamp("current_period_end", { mode: "date", withTimezone: true }),
  cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
  /** When a scheduled cancellation takes effect (Stripe's cancel_at, or the period end). */
  cancelAt: timestamp("cancel_at", { mode: "date", withTimezone: true }),
  /** Start of the past-due grace period: the first failed invoice since the last good state. */
  paymentFailedAt: timestamp("payment_failed_at", { mode: "date", withTimezone: true }),
  updatedAt: timestamp("updated_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
});

/** Per user and UTC day: admitted requests and tokens, with in-flight reservations apart. */
export const usageDaily = pgTable(
  "usage_daily",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    requests: integer("requests").notNull().default(0),
    tokensUsed: bigint("tokens_used", { mode: "number" }).notNull().default(0),
    tokensReserved: bigint("tokens_reserved", { mode: "number" }).notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.day] }),
    // The console's top users read one window of days; nothing prunes old days.
    index("usage_daily_day_idx").on(table.day),
  ],
);

/** Global spend per UTC day, against DAILY_BUDGET_USD. */
export const budgetDaily = pgTable("budget_daily", {
  day: date("day", { mode: "string" }).primaryKey(),
  costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
  reservedMicros: bigint("reserved_micros", { mode: "number" }).notNull().default(0),
});

export const BUDGET_PERIODS = ["daily", "monthly"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * A budget threshold crossing, recorded once per period and percent (the primary key), with
 * the state of its webhook delivery. `day` is the period's first day (a month's 1st).
 */
export const budgetAlerts = pgTable(
  "budget_alerts",
  {
    period: text("period", { enum: BUDGET_PERIODS }).notNull().default("daily"),
    day: date("day", { mode: "string" }).notNull(),
    thresholdPercent: integer("threshold_percent").notNull(),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
    spentMicros: bigint("spent_micros", { mode: "number" }).notNull().default(0),
    budgetMicros: bigint("budget_micros", { mode: "number" }).notNull().default(0),
    /** null: not delivered (yet); the console and the housekeeping cron retry it. */
    deliveredAt: timestamp("delivered_at", { mode: "date", withTimezone: true }),
    deliveryAttempts: integer("delivery_attempts").notNull().default(0),
    lastError: text("last_error"),
    /** Whoever set this (to a time ahead) is delivering the alert: nobody else sends it until then. */
    deliveryClaimedUntil: timestamp("delivery_claimed_until", { mode: "date", withTimezone: true }),
  },
  // The budget is part of the key: after an admin raises it, crossing the new line alerts again.
  (table) => [primaryKey({ columns: [table.period, table.day, table.thresholdPercent, table.budgetMicros] })],
);

/**
 * Today's usage of an account deleted today, by a keyed hash of its address: an account made
 * again with that address the same day starts from it, so deleting and signing up again does
 * not reset the daily quota. Rows of earlier days are removed by the next deletion.
 */
export const usageCarryover = pgTable(
  "usage_carryover",
  {
    emailHash: text("email_hash").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    requests: integer("requests").notNull().default(0),
    tokensUsed: bigint("tokens_used", { mode: "number" }).notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.emailHash, table.day] })],
);

/** An admin's budget for one period (a day, or a month by its 1st), instead of the env default. */
export const budgetOverrides = pgTable(
  "budget_overrides",
  {
    period: text("period", { enum: BUDGET_PERIODS }).notNull(),
    day: date("day", { mode: "string" }).notNull(),
    budgetMicros: bigint("budget_micros", { mode: "number" }).notNull(),
    setBy: text("set_by"),
    setAt: timestamp("set_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.period, table.day] })],
);

/**
 * One in-flight request's worst case, held between reserve and settle. Settle deletes it; one
 * still here after `expires_at` belongs to a request whose process died (crash, deploy,
 * maxDuration): the sweeper releases it and writes its audit row (outcome `lost`).
 * No foreign key: it is released even if the user was deleted meanwhile.
 */
export const reservations = pgTable(
  "reservations",
  {
    requestId: uuid("request_id").primaryKey(),
    userId: text("user_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    action: text("action").notNull(),
    model: text("model").notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull(),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { mode: "date", withTimezone: true }).notNull(),
  },
  (table) => [index("reservations_expires_idx").on(table.expiresAt)],
);

/**
 * One row per request, served or refused. The user id is kept without a foreign key: deleting
 * an account must not lose the rows of its requests (in flight or past); its personal data
 * (prompt and response text, IP hash) is removed instead.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    requestId: uuid("request_id").notNull().unique(),
    userId: text("user_id"),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
    action: text("action").notNull(),
    outcome: text("outcome").notNull(),
    model: text("model"),
    promptHash: text("prompt_hash"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    /** The catalogue's PRICE_VERSION (lib/ai/catalogue.ts) the cost was computed under; null without a model. */
    priceVersion: text("price_version"),
    cacheHit: boolean("cache_hit").notNull().default(false),
    latencyMs: integer("latency_ms"),
    ipHash: text("ip_hash"),
    promptText: text("prompt_text"),
    responseText: text("response_text"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (table) => [
    // The console pages newest first by (created_at, id); these serve it unfiltered, by date,
    // by user and by outcome at any size (bench/console.ts measures them at 1M rows).
    index("audit_log_created_id_idx").on(table.createdAt, table.id),
    index("audit_log_user_created_id_idx").on(table.userId, table.createdAt, table.id),
    index("audit_log_outcome_created_id_idx").on(table.outcome, table.createdAt, table.id),
    // Only rows still carrying text: what the retention job clears (lib/audit-retention.ts).
    index("audit_log_text_created_idx")
      .on(table.createdAt)
      .where(sql`prompt_text is not null or response_text is not null`),
    // Semantic cache hits only: the console's "semantic hits" and their savings (a small share of rows).
    index("audit_log_semantic_created_idx")
      .on(table.createdAt)
      .where(sql`details->>'cache' = 'semantic'`),
    // Settles above their reservation only (the console's breach count): meant to stay at none.
    index("audit_log_breach_created_idx")
      .on(table.createdAt)
      .where(sql`details ? 'reservationBreach'`),
  ],
);

/**
 * Daily totals of audit_log, kept by a trigger on every insert (migration 0002), so the
 * console's 30-day figures read a few hundred rows instead of the whole log. `model` is ""
 * for rows without one.
 */
export const auditDaily = pgTable(
  "audit_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    action: text("action").notNull(),
    model: text("model").notNull(),
    outcome: text("outcome").notNull(),
    cacheHit: boolean("cache_hit").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    /** Cache hits only: what the cached answer would have cost (estimated from its length). */
    savedMicros: bigint("saved_micros", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.day, table.action, table.model, table.outcome, table.cacheHit] })],
);

export const FEEDBACK_RATINGS = [1, -1] as const;

/** A user's thumbs up (1) or down (-1) on one of their own answers, by its audit row's request id. */
export const feedback = pgTable(
  "feedback",
  {
    requestId: uuid("request_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    note: text("note"),
    /** Copied from the audit row when the vote is cast, so the rates per feature and model need no join. */
    action: text("action").notNull(),
    model: text("model"),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("feedback_rating_created_idx").on(table.rating, table.createdAt),
    // The console's vote rates read one window of days; votes are kept.
    index("feedback_created_idx").on(table.createdAt),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull().default("New chat"),
    /** The model of its latest exchange (a catalogue id); the picker restores it. Null on rows saved before it was kept. */
    model: text("model"),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("conversations_user_updated_idx").on(table.userId, table.updatedAt)],
);

export const MESSAGE_ROLES = ["user", "assistant"] as const;

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: text("role", { enum: MESSAGE_ROLES }).notNull(),
    content: text("content").notNull(),
    /** The content's o200k_base token count (null on rows saved before it was kept: counted on read). */
    tokenCount: integer("token_count"),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (table) => [index("messages_conversation_created_idx").on(table.conversationId, table.createdAt)],
);

/** A Stripe webhook event id is recorded in the same transaction as its effect: applied once. */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: timestamp("processed_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
});

/**
 * The semantic cache (lib/semantic): validated answers with their request's embedding. A lookup
 * matches `scope_key` (a hash of the scope, feature, model, prompt version and parameters) and
 * `lexical_key` (the numbers, negations, quoted strings and names of the text) in its WHERE
 * clause, then the nearest embedding above the feature's threshold. `user_id` null: a feature
 * declared shared. Created only where the `vector` extension exists (migration 0006): the app
 * checks for the table at start and runs without a semantic cache otherwise.
 */
export const semanticCache = pgTable(
  "semantic_cache",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    scopeKey: text("scope_key").notNull(),
    lexicalKey: text("lexical_key").notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    feature: text("feature").notNull(),
    model: text("model").notNull(),
    promptVersion: text("prompt_version").notNull(),
    /** The request that produced the answer: a thumbs-down on it evicts the entry. */
    requestId: uuid("request_id").notNull(),
    answer: text("answer").notNull(),
    embedding: vector("embedding", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
    createdAt: timestamp("created_at", { mode: "date", withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { mode: "date", withTimezone: true }).notNull(),
  },
  (table) => [
    index("semantic_cache_scope_idx").on(table.scopeKey, table.lexicalKey, table.expiresAt),
    index("semantic_cache_embedding_idx").using("hnsw", table.embedding.op("vector_cosine_ops")),
    index("semantic_cache_expires_idx").on(table.expiresAt),
    index("semantic_cache_request_idx").on(table.requestId),
    index("semantic_cache_user_idx").on(table.userId),
  ],
);
