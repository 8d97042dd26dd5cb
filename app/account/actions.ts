"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { removeSignInMethod } from "@/db/queries/sign-in-methods";
import { replacePassword, revokeAllSessions } from "@/db/queries/users";
import { proveItIsYou } from "@/lib/account/proof";
import { userAction } from "@/lib/http/server-action";
import { githubEnabled, signIn, signOut } from "@/lib/auth";
import { recordLinkIntent } from "@/lib/auth/link-intent";
import { getSessionClaims } from "@/lib/auth/session-user";
import { AppError } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";

const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(PASSWORD_MAX_LENGTH),
  newPassword: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
});

/** A new password logs out every session; this browser is signed in again with it at once. */
export const changePasswordAction = userAction(changePasswordSchema, async (input, user) => {
  const record = await proveItIsYou(user, input.currentPassword, await headers());
  if (!record.passwordHash) {
    throw new AppError("invalid_input", { message: "This account signs in with GitHub and has no password." });
  }
  await replacePassword(user.id, await hashPassword(input.newPassword));
  await signIn("credentials", { email: record.email, password: input.newPassword, redirectTo: "/account?password=changed" });
  return null;
});

/** Revokes every session of the account, this one included. */
export const logOutEverywhereAction = userAction(z.object({}), async (_input, user) => {
  await revokeAllSessions(user.id);
  await signOut({ redirectTo: "/login" });
});

const proofSchema = z.object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH).optional() });

/**
 * The one way to link GitHub to an account: a valid session, the same proof as a password change,
 * then GitHub's consent. The OAuth callback links only with the intent recorded here (once, within
 * 10 minutes, under this session's version); any other signed-in GitHub round trip is refused.
 */
export const connectGitHubAction = userAction(proofSchema, async (input, user) => {
  if (!githubEnabled) throw new AppError("invalid_input", { message: "GitHub sign-in is not configured on this server." });
  await proveItIsYou(user, input.currentPassword || undefined, await headers());
  const claims = await getSessionClaims();
  if (!claims) throw new AppError("unauthorized");
  await recordLinkIntent(user.id, claims.sessionVersion);
  await signIn("github", { redirectTo: "/account?link=connected" });
  return null;
});

const removeSchema = proofSchema.extend({ provider: z.enum(["github"]) });

/** Disconnects a provider after the same proof; never the last way to sign in. */
export const removeSignInMethodAction = userAction(removeSchema, async (input, user) => {
  await proveItIsYou(user, input.currentPassword || undefined, await headers());
  if ((await removeSignInMethod(user.id, input.provider)) === 0) {
    throw new AppError("invalid_input", { message: "This is your only way to sign in: set a password or connect another first." });
  }
  redirect("/account?link=removed");
});
