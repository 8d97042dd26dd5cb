import "server-only";
import { effectivePlan } from "@/db/queries/account";
import { isModelOffered } from "@/lib/ai/offered";
import { catalogueEntry } from "@/lib/ai/catalogue";
import { reservedPromptTokens } from "@/lib/ai/tokens";
import { AppError } from "@/lib/errors";
import { PLAN_IDS, PLANS, type Plan } from "@/lib/plans";
import { judgeSession } from "@/lib/auth/session-user";
import { perIpLimitsOn } from "@/lib/http/client-ip";
import { utcDay } from "@/lib/time";
import { readAccount } from "../account";
import type { GuardContext, PreparedInput } from "../context";
import { redisRoundTrip, refundWindows } from "../redis-round-trip";
import { cacheKeyFor } from "./cache";
import { quotaExceededError } from "./quota";
import { enforceRateLimits } from "./rate-limit";
import { unverifiedEmailError } from "./session";

const elapsed = (since: number) => Math.round((performance.now() - since) * 1000) / 1000;

async function timed<T>(ctx: GuardContext, name: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work;
  } finally {
    ctx.timings[name] = elapsed(started);
  }
}

/** The plan's limits on what the feature built: length, then the model allowlist. */
function checkPlanLimits(input: PreparedInput, plan: Plan): void {
  const length = input.userText.length;
  if (length > plan.maxInputChars) {
    throw new AppError("message_too_long", {
      message: `Message too long (${length.toLocaleString("en-US")} of ${plan.maxInputChars.toLocaleString("en-US")} characters). Shorten it, or upgrade for longer messages.`,
      upgradeUrl: "/pricing",
    });
  }
  // The plan's models whose provider is on (lib/ai/offered.ts): another plan's model, or one of a
  // provider without a key, is refused here, before anything is reserved.
  if (!isModelOffered(plan, input.model)) throw new AppError("model_not_allowed", { upgradeUrl: "/pricing" });
}

/**
 * All of the guard's reads and claims at once: ONE Postgres statement (user, subscription,
 * today's usage, the conversation's ownership and history: lib/guard/account.ts) in parallel
 * with ONE Redis round trip (token claim, both rate-limit windows, exact cache read:
 * lib/guard/redis-round-trip.ts). Then the refusals, judged in a fixed order on what came back:
 * session (deleted, blocked, revoked) → unproven address → the plan's limits on the input →
 * replay → rate limits → conversation ownership → (a cache hit) the day's request quota.
 *
 * What a refusal leaves behind: the Postgres branch only reads, so it holds nothing. The Redis
 * branch's token claim stays claimed (the refusal carries a fresh token for the next try, and a
 * claimed token must never be claimable twice) and its rate-limit counts stay counted (a
 * refused request is still a request against the limit) — except when the Postgres branch
 * failed (the database is down: the service's fault, not the user's), which gives the windows'
 * counts back after the response. Nothing is reserved before this step has admitted the
 * request, so nothing else needs releasing.
 */
export async function lookUp(ctx: GuardContext): Promise<void> {
  const { claims, request, requestToken } = ctx;
  if (!claims || !request || !requestToken) throw new Error("guard step ran before the input step");
  const { feature } = ctx;
  const day = utcDay();
  // The cache key of every plan, since the plan comes back with the account in parallel.
  const cacheKeys =
    feature.cache === "off"
      ? new Map<string, string>()
      : new Map(PLAN_IDS.map((id) => [id, cacheKeyFor(feature, claims.userId, feature.build(request, PLANS[id], []))]));
  const ip = perIpLimitsOn() ? ctx.ip : null;
  const [read, trip] = await Promise.allSettled([
    timed(ctx, "lookup.postgres", readAccount(claims.userId, day, request.conversationId)),
    timed(ctx, "lookup.redis", redisRoundTrip({ ...requestToken, userId: claims.userId, ip, cacheKeys: [...new Set(cacheKeys.values())] })),
  ]);
  if (read.status === "rejected") {
    // The service failed, not the user: give back what the rate-limit windows counted.
    if (trip.status === "fulfilled") {
      const windows = trip.value.windows;
      ctx.defer(() => refundWindows(claims.userId, ip, windows).catch((error) => console.error("[guard] rate-limit refund failed", error)));
    }
    throw read.reason;
  }
  if (trip.status === "rejected") throw trip.reason;
  const [account, round] = [read.value, trip.value];
  // An account refused for what it is gives the IP's count back: blocked, deleted or unverified
  // accounts behind a shared address (an office, a mobile carrier) must not use up its window.
  const refundIp = () =>
    ctx.defer(() => refundWindows(null, ip, round.windows).catch((error) => console.error("[guard] rate-limit refund failed", error)));

  const session = judgeSession(claims, account.user);
  if (!session.user) {
    ctx.claims = undefined; // the database refused this cookie: it names nobody (audit row, next token)
    refundIp();
    throw new AppError(session.refusal);
  }
  const plan = effectivePlan(account.subscription);
  ctx.user = session.user;
  ctx.plan = plan;
  ctx.usageToday = { ...account.usage, day };
  // An address must be proven before the first model call, so one address is one free quota:
  // by the emailed link, or by an OAuth provider that reports it verified (lib/auth/index.ts).
  if (!session.user.emailVerified) {
    refundIp();
    throw unverifiedEmailError();
  }

  const input = feature.build(request, plan, account.conversation?.history ?? []);
  checkPlanLimits(input, plan);
  ctx.input = input;

  if (!round.claimed) throw new AppError("replayed_request");
  await enforceRateLimits(ctx, round.windows);
  if (account.conversation && !account.conversation.owned) throw new AppError("not_found", { message: "Conversation not found." });

  const cacheKey = cacheKeys.get(plan.id);
  if (cacheKey) {
    ctx.cacheKey = cacheKey;
    ctx.cachedAnswer = round.cached.get(cacheKey);
  }
  // A cache hit reserves nothing (it uses no tokens): its request is checked against the usage
  // row read above and counted with its audit row after the response. Parallel hits may pass the
  // check together and go over the day's request count by as many as were in flight at once
  // (bounded by the rate limit); they cost nothing.
  if (ctx.cachedAnswer !== undefined && account.usage.requests >= plan.requestsPerDay) throw quotaExceededError(plan, account.usage);
  // OpenAI: stored messages bring their token count, so history is not re-tokenized on every
  // request. Other providers publish no tokenizer: a byte bound (lib/ai/tokens.ts).
  ctx.promptTokens = reservedPromptTokens(catalogueEntry(input.model).provider, input.messages, input.promptAddedText);
}
