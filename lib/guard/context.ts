import "server-only";
import type { DailyUsage } from "@/db/queries/account";
import type { CountedMessage } from "@/lib/ai/tokens";
import type { TokenUsage } from "@/lib/ai/usage";
import { clientIp } from "@/lib/http/client-ip";
import type { Plan } from "@/lib/plans";
import type { SemanticCacheState } from "@/lib/semantic/cache";
import type { SessionUser } from "@/lib/auth/session-user";
import type { SessionClaims } from "@/lib/auth/session-token";
import type { Reservation } from "./usage";

/** What a feature's `parse` returns: what the guard needs from the request, and the feature's own value. */
export type ParsedRequest<T = unknown> = {
  /** The one-time request token. */
  token: string;
  /** The user's own text: what the length limit, the prompt hash, the cache key and moderation look at. */
  userText: string;
  /**
   * A conversation to continue: the guard's account statement checks it is the user's and
   * loads its last HISTORY_MESSAGES messages (with their stored token counts) for `build`.
   */
  conversationId?: string;
  /** The feature's own parsed fields, for its `build`. */
  value: T;
};

/** What goes to the model, built once the plan and the history are known. */
export type PreparedInput = {
  /** The user's own text (as in the parsed request). */
  userText: string;
  /** The full conversation sent to the model: server-side system prompt + stored history + the new text. */
  messages: CountedMessage[];
  /** Text the provider adds to the prompt and bills (a structured output's JSON schema). */
  promptAddedText?: string;
  model: string;
  promptVersion: string;
  /** Part of the cache key besides the text: anything that changes the answer. */
  cacheParams: Record<string, unknown>;
  /**
   * The semantic cache's parameters, when `cacheParams` holds the user's text itself (as a
   * whole-input hash does): everything else that changes the answer. Defaults to `cacheParams`.
   */
  semanticParams?: Record<string, unknown>;
  /** Feature-specific values (e.g. the conversation id) for its own code after the guard. */
  extra: Record<string, unknown>;
};

/**
 * An AI feature as the guard sees it. Both functions are pure (no I/O): the guard reads the
 * body, parses it, then does all of its own I/O at once (one Postgres statement and one
 * Redis round trip, in parallel) and calls `build` with what came back.
 * Methods (not function properties) so an AiFeature<SomeRequest> is an AiFeature.
 */
export type AiFeature<T = unknown> = {
  /** The audit log's `action`. */
  name: string;
  /**
   * Cache scope: off, per user (the default for anything cached) or shared across users. The
   * cache key is built without history, so a feature that continues conversations is "off".
   */
  cache: "off" | "user" | "shared";
  /**
   * Opt-in semantic cache (lib/semantic), looked up on an exact miss, in the same scope.
   * Only for single-turn features: a request with history never uses it.
   */
  semanticCache?: { threshold?: number; ttlSeconds?: number };
  /** Strict parse of the untrusted input (unknown fields refused): throws `invalid_input`. */
  parse(raw: unknown): ParsedRequest<T>;
  /**
   * The model input for this plan and history. Also called for every plan before the plan is
   * known, to read the cache keys of all of them in the same Redis round trip (history empty).
   */
  build(request: ParsedRequest<T>, plan: Plan, history: CountedMessage[]): PreparedInput;
};

export type Outcome = {
  /** "served", "aborted" or the refusal's error code. */
  outcome: string;
  /** What the provider billed (settled); none for a request that never reached it. */
  usage?: TokenUsage;
  costMicros?: number;
  responseText?: string;
  details?: Record<string, unknown>;
};

export type GuardContext = {
  requestId: string;
  feature: AiFeature;
  raw: unknown;
  /** Reads the raw input when the input step runs (the chat route reads its body only after the session cookie). */
  readRaw?: () => Promise<unknown>;
  headers: Headers;
  signal: AbortSignal;
  ip: string;
  startedAt: number;
  /**
   * Milliseconds per step, in order, plus `lookup.postgres` / `lookup.redis` (the two parallel
   * branches) and `guard_total`; kept in the audit row (and read by the benchmark).
   */
  timings: Record<string, number>;
  /** Runs work after the response (Next's `after()`; tests pass their own). */
  defer: (task: () => Promise<void>) => void;
  /**
   * The session cookie's claims (CPU only, before any I/O). Cleared when the account statement
   * refuses them (deleted, blocked, revoked), so a refused cookie names nobody in the audit row.
   */
  claims?: SessionClaims;
  /** The parsed request (the input step), before the plan is known. */
  request?: ParsedRequest;
  /** The one-time token, its signature verified (the input step): the nonce to claim in Redis. */
  requestToken?: { nonceKey: string; ttlSeconds: number };
  user?: SessionUser;
  plan?: Plan;
  input?: PreparedInput;
  /** Today's usage row as the account statement read it (a cache hit's request quota). */
  usageToday?: DailyUsage & { day: string };
  /** The prompt's tokens, counted with the model's tokenizer. */
  promptTokens?: number;
  /** Set once the upstream has answered: what it bills, charged whatever happens next. */
  billed?: TokenUsage;
  /** Held from the reservation until settled; a cache hit has none (its request is counted with its audit row). */
  reservation?: Reservation;
  /** Set when settling failed (PostgreSQL down): the audit write settles it, or queues it (outbox.ts). */
  unsettled?: { tokens: number; costMicros: number; release: boolean };
  /** Set when the settled usage exceeded the reservation (charged at most the reservation). */
  reservationBreach?: { settledTokens: number; reservedTokens: number; settledMicros: number; reservedMicros: number };
  cacheKey?: string;
  cachedAnswer?: string;
  /** Set when the semantic cache runs for this request: its embedding tokens and hit. */
  semanticCache?: SemanticCacheState;
  /** The day's global spend after this request settled, for budget alerts. */
  spentToday?: { day: string; micros: number };
  /** Resolved once with the request's outcome; the audit row waits for it. */
  finished: Promise<Outcome>;
  finish: (outcome: Outcome) => void;
};

export function createGuardContext(options: {
  feature: AiFeature;
  raw: unknown;
  readRaw?: () => Promise<unknown>;
  headers: Headers;
  signal: AbortSignal;
  defer: (task: () => Promise<void>) => void;
}): GuardContext {
  let resolve!: (outcome: Outcome) => void;
  const finished = new Promise<Outcome>((done) => (resolve = done));
  let done = false;
  return {
    ...options,
    requestId: crypto.randomUUID(),
    ip: clientIp(options.headers),
    startedAt: performance.now(),
    timings: {},
    finished,
    // First outcome wins: a late abort after a served answer cannot rewrite the record.
    finish: (outcome) => {
      if (done) return;
      done = true;
      resolve(outcome);
    },
  };
}
