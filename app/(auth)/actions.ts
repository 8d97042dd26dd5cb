"use server";

import { CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { z } from "zod";
import { findUserByEmail, insertPasswordUser, normalizeEmail } from "@/db/queries/users";
import { publicAction } from "@/lib/action";
import { checkAuthAttempt } from "@/lib/auth-attempts";
import { credentialsSchema, signIn, signOut } from "@/lib/auth";
import { clientIp } from "@/lib/client-ip";
import { hashIp } from "@/lib/guard/hashing";
import { AppError, rateLimitedError } from "@/lib/errors";
import { hashPassword } from "@/lib/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { roleFor } from "@/lib/roles";
import { safeNextPath } from "@/lib/safe-redirect";

const signUpSchema = z.object({
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
  email: z.email("Enter a valid email address.").max(254),
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
  next: z.string().optional(),
});

const logInSchema = credentialsSchema.extend({ next: z.string().optional() });

/** Signs in through Auth.js and turns its error codes into messages; redirects on success. */
async function signInWithPassword(email: string, password: string, next: string | undefined): Promise<never> {
  try {
    await signIn("credentials", { email, password, redirectTo: safeNextPath(next) });
  } catch (error) {
    if (error instanceof CredentialsSignin) {
      if (error.code.startsWith("rate_limited:")) throw rateLimitedError(Number(error.code.split(":")[1]) || 60);
      if (error.code === "unavailable") throw new AppError("service_unavailable");
      if (error.code === "blocked") throw new AppError("account_blocked");
      throw new AppError("invalid_credentials");
    }
    throw error; // Next's redirect on success
  }
  throw new Error("signIn returned without redirecting");
}

export const signUpAction = publicAction(signUpSchema, async ({ name, email, password, next }) => {
  const ip = clientIp(await headers());
  const attempt = await checkAuthAttempt("signup", ip, email);
  if (!attempt.allowed) throw rateLimitedError(attempt.retryAfterSeconds);
  if (await findUserByEmail(email)) throw new AppError("email_taken");

  const created = await insertPasswordUser({
    email,
    name: name || null,
    passwordHash: await hashPassword(password),
    role: roleFor(normalizeEmail(email), "user"),
    signupIpHash: hashIp(ip), // the console's accounts-per-IP view
  });
  if (!created) throw new AppError("email_taken"); // lost a race with a parallel sign-up
  return signInWithPassword(email, password, next);
});

export const logInAction = publicAction(logInSchema, async ({ email, password, next }) =>
  signInWithPassword(email, password, next),
);

export async function signInWithGitHubAction(formData: FormData): Promise<void> {
  await signIn("github", { redirectTo: safeNextPath(formData.get("next")) });
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
