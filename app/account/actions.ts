"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { replacePassword, revokeAllSessions } from "@/db/queries/users";
import { proveItIsYou } from "@/lib/account/proof";
import { userAction } from "@/lib/http/server-action";
import { signIn, signOut } from "@/lib/auth";
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
