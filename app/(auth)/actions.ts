"use server";

import { CredentialsSignin } from "next-auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { insertPasswordUser } from "@/db/queries/users";
import { publicAction } from "@/lib/http/server-action";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { credentialsSchema, signIn, signOut } from "@/lib/auth";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-token";
import { clientIp } from "@/lib/http/client-ip";
import { hashIp } from "@/lib/guard/hashing";
import { AppError, rateLimitedError } from "@/lib/errors";
import { sendAccountExistsEmail, sendVerificationEmail } from "@/lib/account/emails";
import { hashPassword } from "@/lib/auth/password";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { safeNextPath } from "@/lib/http/safe-redirect";

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

/**
 * Answers a new address and a taken one alike: the same page (check your inbox), no session,
 * the same work (the password is hashed either way) and the email sent after the response. A
 * new address gets its confirmation link; a taken one's owner gets a note saying so. Signing in
 * is the log-in form's job, so the answer never says whether an account was made.
 */
export const signUpAction = publicAction(signUpSchema, async ({ name, email, password, next }) => {
  const ip = clientIp(await headers());
  const attempt = await checkAuthAttempt("signup", ip, email);
  if (!attempt.allowed) throw rateLimitedError(attempt.retryAfterSeconds);

  const passwordHash = await hashPassword(password);
  // Null when the address is taken (the unique constraint decides, so a parallel sign-up too).
  const created = await insertPasswordUser({
    email,
    name: name || null,
    passwordHash,
    role: "user", // admin only once the address is proven (lib/auth/roles.ts)
    signupIpHash: hashIp(ip), // the console's accounts-per-IP view
  });
  after(async () => {
    try {
      if (created) await sendVerificationEmail({ id: created.id, email: created.email! });
      else await sendAccountExistsEmail(email);
    } catch (error) {
      // A new account's link can be sent again from /verify-email once logged in.
      console.error("[email] could not send the sign-up email", error);
    }
  });
  redirect(`/verify-email?status=sent&next=${encodeURIComponent(safeNextPath(next))}`);
});

export const logInAction = publicAction(logInSchema, async ({ email, password, next }) => signInWithPassword(email, password, next));

export async function signInWithGitHubAction(formData: FormData): Promise<void> {
  // Posted straight to the action, the argument may be anything: no form means no `next`.
  const next = formData instanceof FormData ? formData.get("next") : undefined;
  // A sign-in, never a link: a session cookie left in this browser would make Auth.js link the
  // GitHub account to it (the callback refuses that). Linking is /account's "Connect GitHub".
  const cookieStore = await cookies();
  for (const name of SESSION_COOKIE_NAMES) {
    // Expired with the attributes it was set with: a __Secure- cookie is replaced only by a Secure one.
    if (cookieStore.has(name))
      cookieStore.set({ name, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: "lax", secure: name.startsWith("__Secure-") });
  }
  await signIn("github", { redirectTo: safeNextPath(next) });
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
