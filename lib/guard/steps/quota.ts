import "server-only";
import { getTodayUsage } from "@/db/queries/account";
import { costMicros } from "@/lib/ai/models";
import { AppError } from "@/lib/errors";
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
  const usage = await getTodayUsage(user.id);
  const requestsLeft = Math.max(0, plan.requestsPerDay - usage.requests);
  const tokensLeft = Math.max(0, plan.tokensPerDay - usage.tokens);
  const hours = Math.max(1, Math.round((resetsAt.getTime() - Date.now()) / 3_600_000));
  throw new AppError("quota_exceeded", {
    message:
      `You have used today's ${plan.name} plan limit (${requestsLeft} of ${plan.requestsPerDay} requests and ` +
      `${tokensLeft.toLocaleString("en-US")} tokens left). It resets at midnight UTC, in about ${hours} hour${hours === 1 ? "" : "s"}.` +
      (plan.id === "free" ? " Upgrade to Pro for more." : ""),
    resetsAt: resetsAt.toISOString(),
    upgradeUrl: "/pricing",
  });
}
