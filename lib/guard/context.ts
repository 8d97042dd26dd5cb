import "server-only";
import type { CountedMessage } from "@/lib/ai/tokens";
import type { ModelUsage } from "@/lib/ai/types";
import { clientIp } from "@/lib/http/client-ip";
import type { Plan } from "@/lib/plans";
import type { SemanticCacheState } from "@/lib/semantic/cache";
import type { SessionUser } from "@/lib/auth/session-user";
import type { Reservation } from "./usage";

/**
 * What a feature turns the untrusted input into, once validated (each feature builds its own:
 * lib/chat/feature.ts, lib/tools/summarize.ts).
 */
export type PreparedInput = {
  token: string;
  /** The user's own text: what the length limit, the prompt hash and moderation look at. */
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

export type AiFeature = {
  /** The audit log's `action`. */
  name: string;
  /** Cache scope: off, per user (the default for anything cached) or shared across users. */
  cache: "off" | "user" | "shared";
  /**
   * Opt-in semantic cache (lib/semantic), looked up on an exact miss, in the same scope.
   * Only for single-turn features: a request with history never uses it.
   */
  semanticCache?: { threshold?: number; ttlSeconds?: number };
  /** Parses the input without touching the database (that waits until after the rate limit). */
  prepare(raw: unknown, user: SessionUser, plan: Plan): Promise<PreparedInput>;
  /** The messages with the stored history, loaded after the rate limit; refuses what is not the user's. */
  loadHistory?(input: PreparedInput, user: SessionUser): Promise<CountedMessage[]>;
};

export type Outcome = {
  /** "served", "aborted" or the refusal's error code. */
  outcome: string;
  inputTokens?: number;
  outputTokens?: number;
  costMicros?: number;
  responseText?: string;
  details?: Record<string, unknown>;
};

export type GuardContext = {
  requestId: string;
  feature: AiFeature;
  raw: unknown;
  /** Reads the raw input when the input step runs (the chat route reads its body only after the session step). */
  readRaw?: () => Promise<unknown>;
  headers: Headers;
  signal: AbortSignal;
  ip: string;
  startedAt: number;
  /** Milliseconds per step, in order; kept in the audit row (and read by the benchmark). */
  timings: Record<string, number>;
  /** Runs work after the response (Next's `after()`; tests pass their own). */
  defer: (task: () => Promise<void>) => void;
  user?: SessionUser;
  plan?: Plan;
  input?: PreparedInput;
  /** The prompt's tokens, counted with the model's tokenizer (the history step). */
  promptTokens?: number;
  /** Set once the upstream has answered: what it bills, charged whatever happens next. */
  billed?: ModelUsage;
  reservation?: Reservation;
  cacheKey?: string;
  cachedAnswer?: string;
  /** The request whose answer the exact cache served (a thumbs-down evicts its entries too). */
  cachedFrom?: string;
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
