"use server";

import { randomUUID } from "node:crypto";
import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { z } from "zod";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { setPlanByHand } from "@/db/queries/billing";
import { findUserById } from "@/db/queries/users";
import { userAction } from "@/lib/action";
import { recordAudit } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { PLAN_IDS } from "@/lib/plans";

const setPlanSchema = z.object({ userId: z.string().min(1).max(200), plan: z.enum(PLAN_IDS) });

/** An admin sets a user's plan by hand (billing off, or a goodwill upgrade). Audited either way. */
export const setUserPlanAction = userAction(setPlanSchema, async ({ userId, plan }, admin) => {
  const audit = (outcome: string, details: Record<string, unknown>) =>
    after(() =>
      recordAudit({ requestId: randomUUID(), userId: admin.id, action: "admin.set_plan", outcome, details: { targetUserId: userId, plan, ...details } }),
    );
  if (admin.role !== "admin") {
    audit("forbidden", {});
    throw new AppError("forbidden");
  }
  if (!(await findUserById(userId))) throw new AppError("not_found", { message: "That user no longer exists." });
  const previousPlan = effectivePlan(await getSubscription(userId)).id;
  await setPlanByHand(userId, plan);
  audit("ok", { previousPlan });
  revalidatePath("/admin");
  return { userId, plan };
});
