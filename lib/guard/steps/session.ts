import "server-only";
import { AppError } from "@/lib/errors";
import { getSessionClaims } from "@/lib/auth/session-user";
import type { GuardContext } from "../context";

/** The refusal before an address is proven; the chat page also shows it as soon as it opens. */
export function unverifiedEmailError(): AppError {
  return new AppError("email_unverified", { nextStep: { href: "/verify-email", label: "Send a new verification link" } });
}

/**
 * Who the cookie says is asking: decrypted with the cached key, CPU only. No cookie → refused
 * before the body is read. The user row (deleted, blocked, revoked, unverified) is judged by the
 * lookup step, from the account statement.
 */
export async function checkSession(ctx: GuardContext): Promise<void> {
  const claims = await getSessionClaims();
  if (!claims) throw new AppError("unauthorized");
  ctx.claims = claims;
}
