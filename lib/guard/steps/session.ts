import "server-only";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { AppError } from "@/lib/errors";
import { getSessionUser } from "@/lib/session";
import type { GuardContext } from "../context";

/** 1. Who is asking, and the plan their subscription row entitles them to now. */
export async function checkSession(ctx: GuardContext): Promise<void> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthorized");
  ctx.user = user;
  ctx.plan = effectivePlan(await getSubscription(user.id));
}
