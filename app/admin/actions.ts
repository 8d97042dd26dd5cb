"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { setPlanByHand } from "@/db/queries/billing";
import { findUserById, revokeAllSessions, setUserBlocked } from "@/db/queries/users";
import { BUDGET_PERIODS } from "@/db/schema";
import { adminAction } from "@/lib/http/server-action";
import { currentBudgets, setBudgetOverride } from "@/lib/budgets";
import { env } from "@/lib/env";
import { deliverBudgetAlert, findBudgetAlert } from "@/lib/guard/budget-alerts";
import { AppError } from "@/lib/errors";
import { PLAN_IDS } from "@/lib/plans";

// Every action here is an adminAction: refused for anyone but an admin, and audited (who,
// what, before, after) whether it succeeds or not.

const userId = z.string().min(1).max(200);

/** An admin sets a user's plan by hand (billing off, or a goodwill upgrade). */
export const setUserPlanAction = adminAction("set_plan", z.object({ userId, plan: z.enum(PLAN_IDS) }), async ({ userId, plan }) => {
  if (!(await findUserById(userId))) throw new AppError("not_found", { message: "That user no longer exists." });
  const previousPlan = effectivePlan(await getSubscription(userId)).id;
  await setPlanByHand(userId, plan);
  revalidatePath("/admin", "layout");
  return { result: { userId, plan }, before: { plan: previousPlan }, after: { plan } };
});

const periodField = z.enum(BUDGET_PERIODS);

/** Raises or lowers the daily or monthly budget for the current period; empty = back to the default. */
export const setBudgetAction = adminAction(
  "set_budget",
  z.object({
    period: periodField,
    usd: z.union([
      z.literal(""),
      z.coerce.number().positive("Enter an amount above 0, or leave it empty for the default.").max(10_000_000),
    ]),
  }),
  async ({ period, usd }, admin) => {
    const before = (await currentBudgets())[period];
    await setBudgetOverride(period, usd === "" ? null : Math.round(usd * 1_000_000), admin.id);
    const after = (await currentBudgets())[period];
    revalidatePath("/admin", "layout");
    return {
      result: { period, micros: after.micros },
      before: { period, start: before.start, micros: before.micros },
      after: { period, start: after.start, micros: after.micros },
    };
  },
);

/** Sends an alert to the webhook again (after a failed delivery). */
export const retryBudgetAlertAction = adminAction(
  "retry_budget_alert",
  z.object({
    period: periodField,
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    thresholdPercent: z.coerce.number().int(),
    budgetMicros: z.coerce.number().int().nonnegative(),
  }),
  async ({ period, day, thresholdPercent, budgetMicros }) => {
    const alert = await findBudgetAlert(period, day, thresholdPercent, budgetMicros);
    if (!alert) throw new AppError("not_found", { message: "That alert does not exist." });
    if (!env.BUDGET_ALERT_WEBHOOK_URL) throw new AppError("invalid_input", { message: "BUDGET_ALERT_WEBHOOK_URL is not set." });
    const delivered = await deliverBudgetAlert(alert, 1);
    revalidatePath("/admin/budgets");
    if (!delivered) {
      // Not sent by this call: find out whether someone else has (or is sending it) before blaming the webhook.
      const now = await findBudgetAlert(period, day, thresholdPercent, budgetMicros);
      if (now?.deliveredAt) throw new AppError("conflict", { message: "That alert was delivered already." });
      if (now?.deliveryClaimedUntil && now.deliveryClaimedUntil > new Date())
        throw new AppError("conflict", { message: "That alert is being delivered right now; reload in a minute." });
      throw new AppError("service_unavailable", { message: "The webhook did not accept the alert; see the last error." });
    }
    return { result: { delivered }, before: { deliveredAt: alert.deliveredAt }, after: { delivered } };
  },
);

/**
 * Blocks a user (refused at the guard's session step and at sign-in; every session revoked) or
 * unblocks them. The reason is required: it is what the audit row (details.input.reason) tells
 * the next admin who wonders why.
 */
export const setUserBlockedAction = adminAction(
  "set_blocked",
  z.object({
    userId,
    blocked: z.enum(["true", "false"]).transform((value) => value === "true"),
    reason: z.string().trim().min(1, "Give a reason: it is kept in the audit log.").max(500),
  }),
  async ({ userId, blocked, reason }, admin) => {
    const user = await findUserById(userId);
    if (!user) throw new AppError("not_found", { message: "That user no longer exists." });
    if (user.id === admin.id) throw new AppError("invalid_input", { message: "You cannot block yourself." });
    await setUserBlocked(userId, blocked);
    revalidatePath("/admin", "layout");
    return { result: { userId, blocked }, before: { blocked: user.blockedAt !== null }, after: { blocked, reason } };
  },
);

/** Signs a user out everywhere: every session cookie they hold stops working. */
export const revokeUserSessionsAction = adminAction("revoke_sessions", z.object({ userId }), async ({ userId }) => {
  const user = await findUserById(userId);
  if (!user) throw new AppError("not_found", { message: "That user no longer exists." });
  const version = await revokeAllSessions(userId);
  return { result: { userId }, before: { sessionVersion: user.sessionVersion }, after: { sessionVersion: version } };
});
