import "server-only";
import { AppError, formatWait } from "@/lib/errors";
import { perIpLimitsOn } from "@/lib/http/client-ip";
import { INPUT_REFUSAL_LIMITS } from "@/lib/plans";
import { checkLimits, createLimiter } from "@/lib/redis/limiter";
import type { GuardContext } from "../context";
import { verifiedRequestToken } from "../request-token";

const refusalsPerUser = createLimiter("input-refusals-user", INPUT_REFUSAL_LIMITS.perUser.attempts, INPUT_REFUSAL_LIMITS.perUser.window);
const refusalsPerIp = createLimiter("input-refusals-ip", INPUT_REFUSAL_LIMITS.perIp.attempts, INPUT_REFUSAL_LIMITS.perIp.window);

/**
 * The body, read and strictly parsed (unknown fields such as model, role, system prompt,
 * history, tier or price are refused, not ignored), and the one-time token's signature: all
 * CPU, so bad input is refused before any Postgres or Redis I/O. The plan's limits wait for
 * the plan (the lookup step). A refusal here is counted per cookie user and per IP
 * (INPUT_REFUSAL_LIMITS): the only I/O it costs, so a script looping on bad bodies is stopped
 * like one looping on good ones.
 */
export async function parseInput(ctx: GuardContext): Promise<void> {
  if (!ctx.claims) throw new Error("guard step ran before the session step");
  try {
    if (ctx.readRaw) ctx.raw = await ctx.readRaw();
    const request = ctx.feature.parse(ctx.raw);
    const requestToken = verifiedRequestToken(ctx.claims.userId, request.token);
    if (!requestToken) throw new AppError("invalid_request_token");
    ctx.request = request;
    ctx.requestToken = requestToken;
  } catch (error) {
    if (error instanceof AppError) await countRefusal(ctx.claims.userId, ctx.ip);
    throw error;
  }
}

async function countRefusal(userId: string, ip: string): Promise<void> {
  const checks: Array<[typeof refusalsPerUser, string]> = [[refusalsPerUser, userId]];
  if (perIpLimitsOn()) checks.push([refusalsPerIp, ip]);
  const outcome = await checkLimits(checks);
  if (outcome.allowed) return;
  throw new AppError("rate_limited", {
    retryAfterSeconds: outcome.retryAfterSeconds,
    message: `Too many refused requests. Try again in ${formatWait(outcome.retryAfterSeconds)}.`,
  });
}
