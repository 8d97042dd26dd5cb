import "server-only";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { AppError } from "@/lib/errors";
import { getSessionUser, getSessionUserId } from "@/lib/session";
import type { GuardContext } from "../context";

/** 1. Who is asking, and the plan their subscription row entitles them to now. */
export async function checkSession(ctx: GuardContext): Promise<void> {
  const started = performance.now();
  const userId = await getSessionUserId(); // the cookie alone
  if (!userId) throw new AppError("unauthorized");
  // The user row (a deleted user is refused) and the subscription in parallel: one round trip.
  const [user, subscription] = await Promise.all([getSessionUser(), getSubscription(userId)]);
  ctx.timings["session.user"] = Math.round((performance.now() - started) * 1000) / 1000;
  if (!user) throw new AppError("unauthorized");
  ctx.user = user;
  ctx.plan = effectivePlan(subscription);
}
