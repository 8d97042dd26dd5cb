// Map of the guard, for a founder.
// What you edit:
//   - a feature file: `defineAIFeature({...})` (lib/guard/feature.ts), e.g. lib/tools/rewrite.ts,
//     exposed by a one-line action or route (README "Add an AI feature");
//   - prompts and their versions: lib/ai/prompts.ts;
//   - plans and their limits (requests, tokens, input length, output cap, models): lib/plans.ts;
//     models and their prices: lib/ai/catalogue.ts (README "Models and prices").
// What you should not need to touch: this file (the steps and their order), lib/guard/steps/,
// account.ts and redis-round-trip.ts (the one Postgres statement, the one Redis round trip),
// usage.ts (reserve, settle, sweep), audit.ts, context.ts, and the recipe's own plumbing
// (feature.ts, feature-stream.ts, feature-adapter.ts): every feature gets all of it.

import "server-only";
import {
  embeddingCostMicros,
  inputTokensOf,
  NO_USAGE,
  outputTokensOf,
  usageCostMicros,
  worstCaseUsage,
  type TokenUsage,
} from "@/lib/ai/usage";
import { AppError } from "@/lib/errors";
import { writeAuditRow } from "./audit";
import { createGuardContext, type GuardContext } from "./context";
import { checkSession } from "./steps/session";
import { parseInput } from "./steps/input";
import { lookUp } from "./steps/lookup";
import { reserveQuota } from "./steps/quota";
import { moderateInput } from "./steps/moderation";
import { settleReservation } from "./usage";
import { issueRequestToken } from "./request-token";

// The guard pipeline every AI entry point runs (the chat route, the structured tool's action):
// these steps in this order, each passing the context on or throwing a typed AppError. Then
// the caller calls the model, and settles with `completeRequest` or `refuseRequest`; the audit
// row is written after the response.
//
// Round trips (what the guard costs in production, where each is 1-5 ms): the session cookie
// and the body are checked on CPU alone, so a stranger or bad input costs no I/O; then ONE
// Postgres statement and ONE Redis round trip run in parallel (lookup); then, unless the
// exact cache answered, ONE Postgres statement reserves. Moderation (MODERATION=on) is a
// call to the provider, after the reservation.
export const GUARD_STEPS = [
  ["session", checkSession],
  ["input", parseInput],
  ["lookup", lookUp],
  ["quota", reserveQuota],
  ["moderation", moderateInput],
] as const satisfies ReadonlyArray<readonly [string, (ctx: GuardContext) => Promise<void>]>;

export type { AiFeature, GuardContext, ParsedRequest, PreparedInput } from "./context";

/** Starts a request's record: its audit row is promised now and written after the response. */
export function startGuardedRequest(options: Parameters<typeof createGuardContext>[0]): GuardContext {
  const ctx = createGuardContext(options);
  ctx.defer(() => writeAuditRow(ctx));
  return ctx;
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 1000) / 1000;

/** Runs every step; throws the first refusal (call `refuseRequest` with it). */
export async function admitRequest(ctx: GuardContext): Promise<void> {
  for (const [name, step] of GUARD_STEPS) {
    const started = performance.now();
    try {
      await step(ctx);
    } finally {
      ctx.timings[name] = elapsed(started);
    }
  }
  ctx.timings.guard_total = elapsed(ctx.startedAt);
}

/**
 * The token for the next request: to the user, or (refused before the account was read) to
 * whoever the cookie names; none when there is no cookie or the database refused it.
 */
export function nextRequestToken(ctx: GuardContext): string | undefined {
  const userId = ctx.user?.id ?? ctx.claims?.userId;
  return userId ? issueRequestToken(userId) : undefined;
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  console.error("[guard] unexpected error", error);
  return new AppError("service_unavailable", { cause: error });
}

/**
 * What a request that reached the provider is charged when nothing came back: it timed out, but
 * the provider may have run it to the end and billed it. The reservation's worst case (the
 * prompt's tokens and the plan's output limit at the model's dearest prices), so settled <= reserved still holds.
 */
export function unansweredUsage(feature: { model: string; promptTokens: number; plan: { maxOutputTokens: number } }): TokenUsage {
  return worstCaseUsage(feature.model, feature.promptTokens, feature.plan.maxOutputTokens);
}

/** An error that leaves it unknown whether the provider ran (and billed) the request it was sent. */
export const isUnansweredAfterSend = (error: unknown) => error instanceof AppError && error.code === "upstream_timeout";

/**
 * A refusal or a failure. Before the upstream answered: release the reservation, record why.
 * After (`ctx.billed` is set: a schema failure, a refusal, a cut answer): what the provider
 * billed is charged and recorded with the error as the outcome.
 */
export async function refuseRequest(ctx: GuardContext, error: unknown): Promise<AppError> {
  const appError = toAppError(error);
  if (ctx.billed) {
    await completeRequest(ctx, { outcome: appError.code, usage: ctx.billed, responseText: "", details: { error: appError.message } });
    return appError;
  }
  if (ctx.reservation) await settleSafely(ctx, NO_USAGE, true);
  ctx.finish({ outcome: appError.code, details: { error: appError.message } });
  return appError;
}

/**
 * Settles real usage and records the outcome: "served" (also a cache hit, settled at zero
 * tokens), "aborted" (the client left: input + what was generated), or an error code after
 * text was already generated (a stream cut mid-way is charged like an abort).
 */
export async function completeRequest(
  ctx: GuardContext,
  result: { outcome: string; usage: TokenUsage; responseText: string; details?: Record<string, unknown> },
): Promise<void> {
  const cost = await settleSafely(ctx, result.usage, false);
  ctx.finish({
    outcome: result.outcome,
    usage: result.usage,
    costMicros: cost,
    responseText: result.responseText,
    details: result.details,
  });
}

async function settleSafely(ctx: GuardContext, usage: TokenUsage, release: boolean): Promise<number> {
  const reservation = ctx.reservation;
  const model = ctx.input?.model;
  if (!reservation || !model) return 0;
  // The semantic cache's embedding call is billed whatever became of the request.
  const embeddingTokens = ctx.semanticCache?.tokens ?? 0;
  let tokens = inputTokensOf(usage) + outputTokensOf(usage) + embeddingTokens;
  // Priced from what the provider reported, split by kind (cached input, reasoning, tool calls).
  let cost = usageCostMicros(model, usage) + embeddingCostMicros(embeddingTokens);
  // The reservation is meant to be a true upper bound (input counted with the model's tokenizer,
  // output capped by max_completion_tokens). A settle above it is a bug in that bound or a
  // provider billing past its own cap: charged at most the reservation, logged, and counted on
  // the audit row (the console shows how many).
  if (tokens > reservation.tokens || cost > reservation.costMicros) {
    ctx.reservationBreach = {
      settledTokens: tokens,
      reservedTokens: reservation.tokens,
      settledMicros: cost,
      reservedMicros: reservation.costMicros,
    };
    console.error("[guard] SETTLED_OVER_RESERVATION", ctx.requestId, JSON.stringify(ctx.reservationBreach));
    tokens = Math.min(tokens, reservation.tokens);
    cost = Math.min(cost, reservation.costMicros);
  }
  try {
    const spent = await settleReservation(reservation, { tokens, costMicros: cost, release });
    if (spent !== null) ctx.spentToday = { day: reservation.day, micros: spent };
  } catch (error) {
    // The reservation stays counted (the user is not charged more than the worst case) until
    // the audit write settles it with its row, at once or from the Redis outbox (outbox.ts).
    console.error("[guard] could not settle usage", ctx.requestId, error);
    ctx.unsettled = { tokens, costMicros: cost, release };
  }
  return cost;
}
