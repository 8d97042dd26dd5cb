import "server-only";
import { z } from "zod";

// Every environment variable the app reads, validated once. Optional ones have a working
// default so development needs no configuration; production refuses to start without the
// ones listed in PRODUCTION_REQUIREMENTS (see instrumentation.ts).

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : undefined));

/** The longest OPENAI_TIMEOUT_MS: three such waits in a row stay well below a model route's maxDuration (300 s). */
export const MAX_UPSTREAM_TIMEOUT_MS = 60_000;
/** The chat stream's longest total deadline, below the chat route's maxDuration (300 s). */
export const CHAT_STREAM_DEADLINE_MAX_MS = 290_000;
/** Upstream calls one request can make in a row: moderation, the semantic cache's embedding, the model. */
export const UPSTREAM_CALLS_PER_REQUEST = 3;

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),

  // Postgres: postgres.js when set, an embedded PGlite database otherwise.
  DATABASE_URL: optionalText.pipe(z.url().optional()),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  // The longest one query (or one transaction) may take before it fails as "database unavailable".
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  // "on": named prepared statements (one round trip per statement once a connection has seen it).
  // "off" (the default): works behind every transaction-mode pooler, at two round trips per
  // parameterized statement (postgres.js asks the server for the parameter types first).
  DATABASE_PREPARE: z.enum(["on", "off"]).default("off"),
  PGLITE_DIR: z.string().default(".data/pglite"),

  // Redis: Upstash REST when both are set, plain TCP Redis with REDIS_URL, embedded otherwise.
  UPSTASH_REDIS_REST_URL: optionalText.pipe(z.url().optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalText,
  REDIS_URL: optionalText.pipe(z.url().optional()),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("app"),

  // Auth.js
  AUTH_SECRET: optionalText,
  AUTH_GITHUB_ID: optionalText,
  AUTH_GITHUB_SECRET: optionalText,
  // GitHub Enterprise Server's base URL (https://github.example.com); unset: github.com. Tests point
  // it at their local GitHub fake, which only a build made for tests accepts (isTestBuild).
  AUTH_GITHUB_BASE_URL: optionalText.pipe(z.url().optional()),
  ADMIN_EMAILS: optionalText,
  // Where the client's address comes from (lib/http/client-ip.ts): vercel | cloudflare | a number
  // of proxies that append to X-Forwarded-For | none. Required in production.
  TRUSTED_PROXY: optionalText.pipe(
    z
      .union([z.enum(["vercel", "cloudflare", "none"]), z.string().regex(/^[1-9]$/, "vercel, cloudflare, none or a hop count 1-9")])
      .optional(),
  ),

  // Email (verification and password-reset links) through any SMTP provider:
  // smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465. Unset in development:
  // messages go to the console and the /dev/mailbox page.
  SMTP_URL: optionalText.pipe(
    z
      .url()
      .refine((url) => /^smtps?:\/\//.test(url), "use smtp:// or smtps://")
      .optional(),
  ),
  EMAIL_FROM: optionalText.pipe(z.string().max(200).optional()),

  // Model provider
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
  // Each provider is on when its key is set (lib/ai/provider.ts). A base URL is for a gateway
  // or the tests' fakes; unset: the provider's own API.
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalText.pipe(z.url().optional()),
  GEMINI_API_KEY: optionalText,
  GEMINI_BASE_URL: optionalText.pipe(z.url().optional()),
  // Any OpenAI-compatible server (OpenRouter, Ollama, vLLM) for the catalogue's
  // "openai-compatible" models, spoken to through Chat Completions. The key may be any
  // non-empty text for a server that checks none (Ollama).
  OPENAI_COMPATIBLE_BASE_URL: optionalText.pipe(z.url().optional()),
  OPENAI_COMPATIBLE_API_KEY: optionalText,
  // Time to the first byte, and the longest silence inside a stream, before giving up. At most
  // 60 s: one request makes up to three upstream calls in a row (moderation, embedding, model),
  // all below the 300 s maxDuration of the routes and pages that call the model.
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).max(MAX_UPSTREAM_TIMEOUT_MS).default(30_000),
  // The chat stream's total deadline: a reply still streaming then is cut (and charged for what
  // was generated). Below the chat route's maxDuration (300 s), so the platform never kills
  // the function before the request is settled and audited.
  CHAT_STREAM_DEADLINE_MS: z.coerce.number().int().min(1_000).max(CHAT_STREAM_DEADLINE_MAX_MS).default(240_000),
  // "on": every input goes through OpenAI's moderation endpoint before the model sees it.
  MODERATION: z.enum(["on", "off"]).default("off"),

  // Guard pipeline: global spend caps per UTC day and month (unset: no cap; an admin can set
  // either for the current period on /admin/budgets), where budget alerts go (50/80/100 %),
  // whether audit rows keep the prompt and response text, and for how long.
  // DAILY_BUDGET_USD "off": no cap, said explicitly (production requires the variable, and logs "off" at start).
  DAILY_BUDGET_USD: optionalText.pipe(z.union([z.literal("off"), z.coerce.number<string>().positive()]).optional()),
  MONTHLY_BUDGET_USD: optionalText.pipe(z.string().optional()).pipe(z.coerce.number<string | undefined>().positive().optional()),
  BUDGET_ALERT_WEBHOOK_URL: optionalText.pipe(z.url().optional()),
  AUDIT_STORE_TEXT: z.enum(["on", "off"]).default("off"),
  // Days the prompt and response text stays on audit rows (the housekeeping cron clears it).
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // Mounts /api/bench/bare (the benchmark's unguarded floor). Never set it in production.
  BENCH_BARE_ROUTE: z.enum(["on", "off"]).default("off"),

  // The cron route (app/api/cron/housekeeping) answers only `Authorization: Bearer <this>`.
  // Unset: the route refuses every call (housekeeping then runs only opportunistically).
  CRON_SECRET: optionalText.pipe(z.string().min(16, "CRON_SECRET must be at least 16 characters").optional()),

  // Billing
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,
  // Tests and stripe-mock only: send Stripe API calls to this base URL (e.g. http://127.0.0.1:12111)
  // instead of https://api.stripe.com.
  STRIPE_API_BASE: optionalText.pipe(z.url().optional()),
  // Public origin of the app (https://app.example.com): every emailed link and Stripe's return
  // URLs are built from it alone, never from request headers. Required in production; unset in
  // development: http://localhost:$PORT (3000).
  APP_URL: optionalText.pipe(z.url().optional()),
});

export type Env = z.infer<typeof envSchema>;

/**
 * True only in a build made by `npm run build:e2e` (tests/e2e/build.ts sets BUILT_FOR_TESTS=1 and
 * next.config.ts inlines the value into the bundle at build time). No environment variable of a
 * deployed server can turn on what only tests may use: loopback fakes for Stripe and GitHub, and
 * the benchmark's unguarded route.
 */
export const isTestBuild = process.env.BUILT_FOR_TESTS === "1";

type Requirement = { variable: string; purpose: string; isMet: (env: Env, testBuild: boolean) => boolean };

const isLoopbackUrl = (url: string | undefined) => url !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);

/** Auth.js derives a 512-bit key from AUTH_SECRET: a short one is guessable offline from any cookie. */
export const AUTH_SECRET_MIN_BYTES = 32;

export const PRODUCTION_REQUIREMENTS: readonly Requirement[] = [
  {
    variable: "DATABASE_URL",
    purpose: "PostgreSQL connection string (the embedded PGlite database is for development only)",
    isMet: (env) => env.DATABASE_URL !== undefined,
  },
  {
    variable: "REDIS_URL or UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN",
    purpose: "Redis for rate limits, cache and one-time tokens (the embedded store is per-process)",
    isMet: (env) => env.REDIS_URL !== undefined || (env.UPSTASH_REDIS_REST_URL !== undefined && env.UPSTASH_REDIS_REST_TOKEN !== undefined),
  },
  {
    variable: "AUTH_SECRET",
    purpose: `signs and encrypts session cookies, at least ${AUTH_SECRET_MIN_BYTES} bytes (generate one: openssl rand -base64 33)`,
    isMet: (env) => env.AUTH_SECRET !== undefined && Buffer.byteLength(env.AUTH_SECRET) >= AUTH_SECRET_MIN_BYTES,
  },
  {
    variable: "TRUSTED_PROXY",
    purpose: "where the client IP for per-IP limits comes from: vercel, cloudflare, a proxy hop count, or none",
    isMet: (env) => env.TRUSTED_PROXY !== undefined,
  },
  {
    variable: "SMTP_URL and EMAIL_FROM",
    purpose: "email delivery for verification and password-reset links (the console mailbox is for development only)",
    isMet: (env) => env.SMTP_URL !== undefined && env.EMAIL_FROM !== undefined,
  },
  {
    variable: "APP_URL",
    purpose:
      "the app's public origin (https://app.example.com): emailed links and Stripe's return URLs are built from it, never from request headers",
    isMet: (env) => env.APP_URL !== undefined,
  },
  {
    variable: "OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or OPENAI_COMPATIBLE_BASE_URL + OPENAI_COMPATIBLE_API_KEY",
    purpose: "at least one model provider's server-side key (the demo model is for development only)",
    isMet: (env) =>
      env.OPENAI_API_KEY !== undefined ||
      env.ANTHROPIC_API_KEY !== undefined ||
      env.GEMINI_API_KEY !== undefined ||
      (env.OPENAI_COMPATIBLE_BASE_URL !== undefined && env.OPENAI_COMPATIBLE_API_KEY !== undefined),
  },
  {
    // Moderation is OpenAI's endpoint whichever provider answers; the semantic cache (OpenAI's
    // embeddings) is skipped without the key, moderation would be silently off: refused instead.
    variable: "OPENAI_API_KEY (MODERATION=on)",
    purpose: "MODERATION=on calls OpenAI's moderation endpoint, whichever provider answers; set the key or MODERATION=off",
    isMet: (env) => env.MODERATION !== "on" || env.OPENAI_API_KEY !== undefined,
  },
  {
    variable: "DAILY_BUDGET_USD",
    purpose: "the global spend cap per UTC day; set DAILY_BUDGET_USD=off to run without one on purpose",
    isMet: (env) => env.DAILY_BUDGET_USD !== undefined,
  },
  {
    variable: "BENCH_BARE_ROUTE (unset it)",
    purpose:
      "mounts an unguarded model route for the benchmark; only in a build made by npm run build:e2e, against a model on this machine",
    isMet: (env, testBuild) => env.BENCH_BARE_ROUTE !== "on" || (testBuild && isLoopbackUrl(env.OPENAI_BASE_URL)),
  },
  {
    variable: "STRIPE_API_BASE (unset it)",
    purpose:
      "sends Stripe calls, secret key included, somewhere other than api.stripe.com; only a test server in a build made by npm run build:e2e",
    isMet: (env, testBuild) => env.STRIPE_API_BASE === undefined || (testBuild && isLoopbackUrl(env.STRIPE_API_BASE)),
  },
  {
    variable: "AUTH_GITHUB_BASE_URL",
    purpose: "GitHub Enterprise Server over https; a test server on this machine only in a build made by npm run build:e2e",
    isMet: (env, testBuild) =>
      env.AUTH_GITHUB_BASE_URL === undefined ||
      (new URL(env.AUTH_GITHUB_BASE_URL).protocol === "https:" && !isLoopbackUrl(env.AUTH_GITHUB_BASE_URL)) ||
      (testBuild && isLoopbackUrl(env.AUTH_GITHUB_BASE_URL)),
  },
];

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment variables:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** One message that lists every missing or unsafe production variable, or null when all is well. */
export function productionProblems(env: Env, testBuild = isTestBuild): string | null {
  if (env.NODE_ENV !== "production") return null;
  const missing = PRODUCTION_REQUIREMENTS.filter((requirement) => !requirement.isMet(env, testBuild));
  if (missing.length === 0) return null;
  const lines = missing.map((requirement) => `  - ${requirement.variable}: ${requirement.purpose}`);
  return `Refusing to start in production: these environment variables are missing or unsafe:\n${lines.join("\n")}\nSee .env.example and the README.`;
}

export const env: Env = parseEnv(process.env);

export const isProduction = env.NODE_ENV === "production";
