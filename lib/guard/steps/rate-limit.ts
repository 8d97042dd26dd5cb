import "server-only";
import { AppError, formatWait } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import type { GuardContext } from "../context";
import type { WindowResult } from "../redis-round-trip";

/**
 * Whether the per-user window, counted under the highest plan's limit (lib/guard/redis-round-trip.ts),
 * admits this request under the user's own plan: the requests in the window, this one included,
 * within the plan's requests per minute.
 */
export function userWindowAdmits(window: WindowResult, plan: Plan): boolean {
  return window.success && window.limit - window.remaining <= plan.requestsPerMinute;
}

/**
 * Per user (the plan's requests per minute) and per IP, from the Redis round trip's windows.
 * A limiter that did not answer in time (the library then reports success with reason
 * "timeout") refuses with 503: fail closed, this protects money.
 */
export async function enforceRateLimits(ctx: GuardContext, windows: { user: WindowResult; ip: WindowResult }): Promise<void> {
  const plan = ctx.plan;
  if (!plan) throw new Error("guard step ran before the plan was known");
  if (windows.user.reason === "timeout" || windows.ip.reason === "timeout") throw new AppError("service_unavailable");
  const refused = [...(userWindowAdmits(windows.user, plan) ? [] : [windows.user]), ...(windows.ip.success ? [] : [windows.ip])];
  if (refused.length === 0) return;
  const resetAt = Math.max(...refused.map((window) => window.reset));
  const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
  throw new AppError("rate_limited", {
    retryAfterSeconds,
    message: `Too many requests. Try again in ${formatWait(retryAfterSeconds)}.`,
    ...(plan.id === "free" && { upgradeUrl: "/pricing" }),
  });
}
