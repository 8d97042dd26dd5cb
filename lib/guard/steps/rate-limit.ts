import "server-only";
import type { Ratelimit } from "@upstash/ratelimit";
import { AppError, formatWait } from "@/lib/errors";
import { AI_PER_IP_LIMIT, type Plan } from "@/lib/plans";
import { checkLimits, createLimiter } from "@/lib/redis/limiter";
import type { GuardContext } from "../context";
import { requireUserAndPlan } from "./require";

const perPlan = new Map<string, Ratelimit>();
let perIp: Ratelimit | undefined;

function userLimiter(plan: Plan): Ratelimit {
  let limiter = perPlan.get(plan.id);
  if (!limiter) perPlan.set(plan.id, (limiter = createLimiter(`ai-user-${plan.id}`, plan.requestsPerMinute, "1 m")));
  return limiter;
}

/** Per user (the plan's requests per minute) and per IP. Redis down or slow → 503 (fail closed). */
export async function enforceRateLimits(ctx: GuardContext): Promise<void> {
  const { user, plan } = requireUserAndPlan(ctx);
  perIp ??= createLimiter("ai-ip", AI_PER_IP_LIMIT.attempts, AI_PER_IP_LIMIT.window);
  const outcome = await checkLimits([
    [userLimiter(plan), user.id],
    [perIp, ctx.ip],
  ]);
  if (!outcome.allowed) {
    throw new AppError("rate_limited", {
      retryAfterSeconds: outcome.retryAfterSeconds,
      message: `Too many requests. Try again in ${formatWait(outcome.retryAfterSeconds)}.`,
      ...(plan.id === "free" && { upgradeUrl: "/pricing" }),
    });
  }
}
