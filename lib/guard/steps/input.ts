import "server-only";
import { AppError } from "@/lib/errors";
import type { GuardContext } from "../context";
import { requireUserAndPlan } from "./require";

/**
 * The feature's strict schema (unknown fields such as model, role, system prompt, history,
 * tier or price are refused, not ignored), conversation ownership, then the plan's limits.
 */
export async function validateInput(ctx: GuardContext): Promise<void> {
  const { user, plan } = requireUserAndPlan(ctx);
  if (ctx.readRaw) ctx.raw = await ctx.readRaw();
  const input = await ctx.feature.prepare(ctx.raw, user, plan);
  const length = input.userText.length;
  if (length > plan.maxInputChars) {
    throw new AppError("message_too_long", {
      message: `Message too long (${length.toLocaleString("en-US")} of ${plan.maxInputChars.toLocaleString("en-US")} characters). Shorten it, or upgrade for longer messages.`,
      upgradeUrl: "/pricing",
    });
  }
  if (!plan.models.includes(input.model)) throw new AppError("model_not_allowed", { upgradeUrl: "/pricing" });
  ctx.input = input;
}
