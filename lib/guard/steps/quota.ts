import "server-only";
import { getTodayUsage, type DailyUsage } from "@/db/queries/account";
import { costMicros } from "@/lib/ai/models";
import { AppError } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import { nextUtcMidnight } from "@/lib/time";
import { dailyBudgetMicros } from "../budget-alerts";
import type { GuardContext } from "../context";
import { reserveUsage } from "../usage";
import { requireInput } from "./require";

/** 5. Reserve one request and the worst case (estimated input + the plan's max output). */
export async function reserveQuota(ctx: GuardContext): Promise<void> {
  const { user, plan, input } = requireInput(ctx);
  const inputTokens = ctx.estimatedInputTokens ?? 0;
  const result = await reserveUsage({
    userId: user.id,
    plan,
    tokens: inputTokens + plan.maxOutputTokens,
    costMicros: costMicros(input.model, inputTokens, plan.maxOutputTokens),
    // Admins keep working when the global budget is spent (to investigate, for one).
    budgetMicros: user.role === "admin" ? null : dailyBudgetMicros(),
  });
  if (!("refused" in result)) {
    ctx.reservation = result;
    return;
  }
  const resetsAt = nextUtcMidnight();
  if (result.refused === "budget") throw new AppError("budget_exhausted", { resetsAt: resetsAt.toISOString() });
  throw quotaExceededError(plan, await getTodayUsage(user.id), resetsAt);
}

/** The daily-quota refusal with its numbers; also shown by the chat page when the day's quota is already spent. */
export function quotaExceededError(plan: Plan, usage: DailyUsage, resetsAt: Date = nextUtcMidnight()): AppError {
  const requestsLeft = Math.max(0, plan.requestsPerDay - usage.requests);
  const tokensLeft = Math.max(0, plan.tokensPerDay - usage.tokens);
  const hours = Math.max(1, Math.round((resetsAt.getTime() - Date.now()) / 3_600_000));
  return new AppError("quota_exceeded", {
    message:
      `You have used today's ${plan.name} plan limit (${requestsLeft} of ${plan.requestsPerDay} requests and ` +
      `${tokensLeft.toLocaleString("en-US")} tokens left). It resets at midnight UTC, in about ${hours} hour${hours === 1 ? "" : "s"}.` +
      (plan.id === "free" ? " Upgrade to Pro for more." : ""),
    resetsAt: resetsAt.toISOString(),
    upgradeUrl: "/pricing",
  });
}

/** Whether the guard would refuse the next request on quota: no request left, or too few tokens for a worst-case reply. */
export function isQuotaSpent(plan: Plan, usage: DailyUsage): boolean {
  return usage.requests >= plan.requestsPerDay || plan.tokensPerDay - usage.tokens < plan.maxOutputTokens;
}
