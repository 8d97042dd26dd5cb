import "server-only";
import { getTodayUsage, type DailyUsage } from "@/db/queries/account";
import { embeddingCostMicros, usageCostMicros, worstCaseUsage } from "@/lib/ai/usage";
import { AppError } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import { nextUtcMidnight } from "@/lib/time";
import { defaultBudgetMicros } from "@/lib/budgets";
import { reserveSemanticLookup } from "@/lib/semantic/cache";
import type { GuardContext } from "../context";
import { reserveUsage } from "../usage";

const formatCount = (value: number) => value.toLocaleString("en-US");

/**
 * One statement reserves one request and the worst case: the prompt's tokens (counted with
 * the model's tokenizer) + the plan's max output, against the user's day and the global budget;
 * priced at the model's dearest input and output prices in the catalogue (`worstCaseUsage`), so
 * no mix of cached, uncached, cache-written input and reasoning can cost more.
 * A cache hit reserves nothing: it uses no tokens (so a user at the token cap still gets it),
 * its request quota was checked in the lookup step and it is counted with its audit row.
 */
export async function reserveQuota(ctx: GuardContext): Promise<void> {
  if (ctx.cachedAnswer !== undefined) return;
  const { user, plan, input } = ctx;
  if (!user || !plan || !input) throw new Error("guard step ran before the lookup step");
  const inputTokens = ctx.promptTokens ?? 0;
  const outputTokens = plan.maxOutputTokens;
  // A feature with the semantic cache also reserves its embedding call.
  const embeddingTokens = await reserveSemanticLookup(ctx);
  const tokens = inputTokens + outputTokens + embeddingTokens;
  const result = await reserveUsage({
    requestId: ctx.requestId,
    userId: user.id,
    action: ctx.feature.name,
    model: input.model,
    plan,
    tokens,
    costMicros: usageCostMicros(input.model, worstCaseUsage(input.model, inputTokens, outputTokens)) + embeddingCostMicros(embeddingTokens),
    budgetMicros: defaultBudgetMicros("daily"),
    monthlyBudgetMicros: defaultBudgetMicros("monthly"),
    // Admins keep working when the global budget is spent (to investigate, for one).
    budgetExempt: user.role === "admin",
  });
  if (!("refused" in result)) {
    ctx.reservation = result;
    return;
  }
  const resetsAt = nextUtcMidnight();
  if (result.refused === "budget") {
    if (result.period === "daily") throw new AppError("budget_exhausted", { resetsAt: resetsAt.toISOString() });
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    throw new AppError("budget_exhausted", {
      message: "The service has reached this month's spending limit. Please try again next month.",
      resetsAt: nextMonth.toISOString(),
    });
  }
  throw quotaExceededError(plan, await getTodayUsage(user.id), resetsAt, { inputTokens: inputTokens + embeddingTokens, outputTokens });
}

/**
 * The daily-quota refusal with its numbers; also shown by the chat page when the day's quota is
 * already spent. With the refused request's size, it says what that request needed.
 */
export function quotaExceededError(
  plan: Plan,
  usage: DailyUsage,
  resetsAt: Date = nextUtcMidnight(),
  request?: { inputTokens: number; outputTokens: number },
): AppError {
  const requestsLeft = Math.max(0, plan.requestsPerDay - usage.requests);
  const tokensLeft = Math.max(0, plan.tokensPerDay - usage.tokens);
  const hours = Math.max(1, Math.round((resetsAt.getTime() - Date.now()) / 3_600_000));
  const tokens = request ? request.inputTokens + request.outputTokens : 0;
  // Out of tokens but not requests: say what this request needs, so the user can shorten it.
  const needs =
    request && requestsLeft > 0 && tokens > tokensLeft
      ? ` This request needs up to ${formatCount(tokens)} tokens (${formatCount(request.inputTokens)} in, up to ${formatCount(request.outputTokens)} out).`
      : "";
  return new AppError("quota_exceeded", {
    message:
      `You have used today's ${plan.name} plan limit (${requestsLeft} of ${plan.requestsPerDay} requests and ` +
      `${formatCount(tokensLeft)} of ${formatCount(plan.tokensPerDay)} tokens left).${needs} It resets at midnight UTC, in about ${hours} hour${hours === 1 ? "" : "s"}.` +
      (plan.id === "free" ? " Upgrade to Pro for more." : ""),
    resetsAt: resetsAt.toISOString(),
    upgradeUrl: "/pricing",
  });
}

/** Whether the guard would refuse the next request on quota: no request left, or too few tokens for a worst-case reply. */
export function isQuotaSpent(plan: Plan, usage: DailyUsage): boolean {
  return usage.requests >= plan.requestsPerDay || plan.tokensPerDay - usage.tokens < plan.maxOutputTokens;
}
