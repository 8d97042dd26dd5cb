import "server-only";
import { PRICE_VERSION } from "@/lib/ai/catalogue";
import { inputTokensOf, outputTokensOf, tokenUsage, usageCostMicros } from "@/lib/ai/usage";
import { countTextTokens } from "@/lib/ai/tokens";
import { env } from "@/lib/env";
import { recordBudgetAlerts } from "./budget-alerts";
import type { GuardContext } from "./context";
import { hashIp, sha256 } from "./hashing";
import { recordOutcome } from "./outbox";
import { normalizeText } from "./steps/cache";
import { sweepExpiredReservations } from "./usage";

/** One request in this many also sweeps expired reservations, besides the cron route. */
const SWEEP_ONE_IN = 50;

/**
 * Exactly one audit row per request, served or refused: registered with `after()` when the
 * request starts, it waits for the request's outcome (which the stream resolves from its own
 * completion path) and is written once the response has gone. Budget alerts ride along.
 */
export async function writeAuditRow(ctx: GuardContext): Promise<void> {
  const outcome = await ctx.finished;
  const storeContent = env.AUDIT_STORE_TEXT === "on";
  // Only a request that got its reservation ran (or could run) the semantic lookup.
  const semantic = ctx.reservation ? ctx.semanticCache : undefined;
  const cache = ctx.cachedAnswer !== undefined ? "exact" : semantic?.hit ? "semantic" : undefined;
  const cacheHit = cache !== undefined && outcome.outcome === "served";
  const cachedAnswer = ctx.cachedAnswer ?? outcome.responseText ?? "";
  // What the cached answer would have cost from the model (the console's "saved by the cache").
  const savedMicros =
    cacheHit && ctx.input
      ? usageCostMicros(ctx.input.model, tokenUsage({ uncachedInput: ctx.promptTokens ?? 0, output: countTextTokens(cachedAnswer) }))
      : undefined;
  const usage = outcome.usage;
  // How the tokens were billed, kept when it is not all plain input and output.
  const billedBreakdown =
    usage && (usage.cacheRead > 0 || usage.cacheWrite > 0 || usage.reasoning > 0 || Object.keys(usage.toolCalls).length > 0)
      ? usage
      : undefined;
  // The user, or whoever the cookie names when the request was refused before its account was
  // read (bad input, a forged token); nobody when the database refused the cookie.
  const userId = ctx.user?.id ?? ctx.claims?.userId ?? null;
  const audit = {
    requestId: ctx.requestId,
    userId,
    action: ctx.feature.name,
    outcome: outcome.outcome,
    model: ctx.input?.model ?? null,
    promptHash: ctx.input ? sha256(normalizeText(ctx.input.userText)) : null,
    // All input (cached or not) and all output (reasoning included); the split is in details.usage.
    inputTokens: usage ? inputTokensOf(usage) : 0,
    outputTokens: usage ? outputTokensOf(usage) : 0,
    costMicros: outcome.costMicros ?? 0,
    // The catalogue prices cost_micros (and savedMicros) came from: any row that names a model.
    priceVersion: ctx.input ? PRICE_VERSION : null,
    cacheHit,
    latencyMs: Math.round(performance.now() - ctx.startedAt),
    ipHash: hashIp(ctx.ip),
    promptText: storeContent ? (ctx.input?.userText ?? null) : null,
    responseText: storeContent ? (outcome.responseText ?? null) : null,
    // The worst case reserved for it: settled tokens never exceed it (tests assert this).
    details: {
      timings: ctx.timings,
      ...(ctx.reservation && { reservedTokens: ctx.reservation.tokens }),
      // Settled above the reservation (clamped to it): counted on the console's overview.
      ...(ctx.reservationBreach && { reservationBreach: ctx.reservationBreach }),
      ...(savedMicros !== undefined && { savedMicros }),
      ...(billedBreakdown && { usage: billedBreakdown }),
      ...(cacheHit && { cache }),
      // Where a served answer sits in the exact cache (stored or read), for a thumbs-down to evict.
      ...(outcome.outcome === "served" && ctx.cacheKey && { cacheKey: ctx.cacheKey }),
      // The semantic cache's embedding call (charged in cost_micros) and what it found.
      ...(semantic && { embeddingTokens: semantic.tokens, semanticHit: semantic.hit !== undefined }),
      ...(semantic?.hit && { similarity: Math.round(semantic.hit.similarity * 10_000) / 10_000, semanticEntryId: semantic.hit.entryId }),
      ...outcome.details,
    },
  };
  // With the settlement if that failed; queued in Redis if PostgreSQL is down (outbox.ts).
  const { reservation, unsettled } = ctx;
  const settlement = reservation && unsettled ? { userId: reservation.userId, day: reservation.day, ...unsettled } : null;
  // An exact-cache hit reserved nothing: its request is counted with its row, exactly once (a
  // semantic hit was reserved with its embedding call, and settled).
  const countRequest = cache === "exact" && cacheHit && userId && ctx.usageToday ? { userId, day: ctx.usageToday.day } : null;
  await recordOutcome({ requestId: ctx.requestId, audit, settlement, countRequest });
  if (Math.random() * SWEEP_ONE_IN < 1) {
    await sweepExpiredReservations().catch((error) => console.error("[guard] reservation sweep failed", error));
  }
  if (ctx.spentToday) {
    await recordBudgetAlerts(ctx.spentToday.day, ctx.spentToday.micros).catch((error) =>
      console.error("[budget] could not record alerts", error),
    );
  }
}
