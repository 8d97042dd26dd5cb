"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { setPlanByHand } from "@/db/queries/billing";
import { findUserById } from "@/db/queries/users";
import { adminAction } from "@/lib/action";
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
