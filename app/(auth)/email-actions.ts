"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { removeUnconfirmedLinks } from "@/db/queries/sign-in-methods";
import { findUserByEmail, replacePassword } from "@/db/queries/users";
import { claimEmailLink } from "@/lib/account/email-links";
import { sendPasswordResetEmail, sendVerificationEmail } from "@/lib/account/emails";
import { publicAction, userAction } from "@/lib/http/server-action";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { clientIp } from "@/lib/http/client-ip";
import { rateLimitedError } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";

// Links by email: resend the verification link, ask for a password reset, set the new password.

export const resendVerificationAction = userAction(z.object({}), async (_input, user) => {
  if (user.emailVerified || !user.email) return { alreadyVerified: true };
  const attempt = await checkAuthAttempt("verify_resend", clientIp(await headers()), user.email);
  if (!attempt.allowed) throw rateLimitedError(attempt.retryAfterSeconds);
  await sendVerificationEmail({ id: user.id, email: user.email });
  return { alreadyVerified: false };
});

const forgotSchema = z.object({ email: z.email("Enter a valid email address.").max(254) });

/** The same answer whether or not the address has an account: nothing to learn from it. */
export const requestPasswordResetAction = publicAction(forgotSchema, async ({ email }) => {
  const attempt = await checkAuthAttempt("password_reset", clientIp(await headers()), email);
  if (!attempt.allowed) throw rateLimitedError(attempt.retryAfterSeconds);
  const user = await findUserByEmail(email);
  if (user?.email && !user.blockedAt) {
    const recipient = { id: user.id, email: user.email, passwordHash: user.passwordHash };
    // Sent after the response: awaiting the SMTP server made a known address measurably slower.
    after(() =>
      sendPasswordResetEmail(recipient).catch((error) => {
        // Said to nobody but the log: a different answer would tell who has an account.
        console.error("[email] could not send a password reset link", error);
      }),
    );
  }
  return { sent: true };
});

const resetSchema = z.object({
  token: z.string().min(1).max(300),
  newPassword: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
});

/**
 * Uses the link up, sets the password, logs out every session; the link also proves the address.
 * Sign-in methods the owner never confirmed (linked before links needed proof) are removed, as
 * the reset email says: whoever linked them no longer gets in through them.
 */
export const resetPasswordAction = publicAction(resetSchema, async ({ token, newPassword }) => {
  const passwordHash = await hashPassword(newPassword); // before the claim: a slow hash cannot waste the link
  const user = await claimEmailLink("reset-password", token);
  await replacePassword(user.id, passwordHash, { emailProven: true });
  await removeUnconfirmedLinks(user.id);
  redirect("/login?reset=done");
});
