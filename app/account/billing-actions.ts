"use server";

import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { getSubscription } from "@/db/queries/account";
import { deleteUser } from "@/db/queries/billing";
import { DELETE_CONFIRMATION } from "@/lib/account-deletion";
import { proveItIsYou } from "@/lib/account/proof";
import { userAction } from "@/lib/http/server-action";
import { recordAudit } from "@/lib/audit-log";
import { signOut } from "@/lib/auth";
import { appOrigin } from "@/lib/billing/app-origin";
import { cancelSubscriptionNow, createPortalSession } from "@/lib/billing/checkout";
import { isLiveStatus } from "@/lib/billing/subscription-state";
import { PASSWORD_MAX_LENGTH } from "@/lib/auth/password-policy";
import { isBillingConfigured } from "@/lib/stripe";

export const openBillingPortalAction = userAction(z.object({}), async (_input, user) => {
  redirect(await createPortalSession(user, appOrigin()));
});

const deleteAccountSchema = z.object({
  confirmation: z.literal(DELETE_CONFIRMATION, `Type ${DELETE_CONFIRMATION} to confirm.`),
  // Absent for OAuth-only accounts, which prove themselves by a recent sign-in instead.
  currentPassword: z.string().max(PASSWORD_MAX_LENGTH).optional(),
});

/**
 * Deletes the account: first cancels a running Stripe subscription (so nobody is billed for
 * an account that no longer exists), then the user row (its data goes with it by cascade).
 * If Stripe cannot be reached the account is kept and the user is asked to retry.
 */
export const deleteAccountAction = userAction(deleteAccountSchema, async (input, user) => {
  await proveItIsYou(user, input.currentPassword, await headers());
  const subscription = await getSubscription(user.id);
  const subscriptionId = subscription?.stripeSubscriptionId;
  if (subscriptionId && (isLiveStatus(subscription.status) || subscription.status === "unpaid")) {
    if (isBillingConfigured) await cancelSubscriptionNow(subscriptionId);
    else console.warn("Deleting an account with a Stripe subscription while billing is not configured", subscriptionId);
  }
  await deleteUser(user.id);
  after(() =>
    recordAudit({
      requestId: randomUUID(),
      userId: null, // the user row is gone; the id stays in details for the record
      action: "account.delete",
      outcome: "ok",
      details: { deletedUserId: user.id, canceledSubscriptionId: subscriptionId ?? null },
    }),
  );
  await signOut({ redirectTo: "/" });
});
