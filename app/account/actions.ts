"use server";

import { z } from "zod";
import { findUserById, setPasswordHash } from "@/db/queries/users";
import { userAction } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "@/lib/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/password-policy";

const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(PASSWORD_MAX_LENGTH),
  newPassword: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
});

export const changePasswordAction = userAction(changePasswordSchema, async (input, user) => {
  const record = await findUserById(user.id);
  if (!record?.passwordHash) {
    throw new AppError("invalid_input", { message: "This account signs in with GitHub and has no password." });
  }
  if (!(await verifyPassword(record.passwordHash, input.currentPassword))) {
    throw new AppError("invalid_input", { fieldErrors: { currentPassword: ["Current password is incorrect."] } });
  }
  await setPasswordHash(user.id, await hashPassword(input.newPassword));
  return null;
});
