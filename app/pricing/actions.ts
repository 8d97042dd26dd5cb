"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { appOrigin } from "@/lib/billing/app-origin";
import { createCheckoutSession } from "@/lib/billing/checkout";
import { userAction } from "@/lib/http/server-action";
import { PAID_PLANS } from "@/lib/plans";

// The client names a plan id, nothing more: which price is charged is looked up here, on the
// server, from lib/plans.ts. A price id or amount sent by a client is never read.
const checkoutSchema = z.object({
  planId: z.enum(PAID_PLANS.map((plan) => plan.id) as [string, ...string[]], "Choose a plan that is for sale."),
  attempt: z.uuid(),
});

export const startCheckoutAction = userAction(checkoutSchema, async ({ planId, attempt }, user) => {
  const plan = PAID_PLANS.find((candidate) => candidate.id === planId)!;
  const url = await createCheckoutSession(user, plan, attempt, appOrigin());
  redirect(url);
});
