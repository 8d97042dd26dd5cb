import "server-only";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { AppError } from "@/lib/errors";
import { getSessionClaims, readSession } from "@/lib/auth/session-user";
import type { GuardContext } from "../context";

/** The refusal before an address is proven; the chat page also shows it as soon as it opens. */
export function unverifiedEmailError(): AppError {
  return new AppError("email_unverified", { nextStep: { href: "/verify-email", label: "Send a new verification link" } });
}

/** Who is asking, and the plan their subscription row entitles them to now. */
export async function checkSession(ctx: GuardContext): Promise<void> {
  const started = performance.now();
  const claims = await getSessionClaims(); // the cookie alone
  if (!claims) throw new AppError("unauthorized");
  // The user row (deleted, blocked or revoked is refused) and the subscription in parallel: one round trip.
  const [session, subscription] = await Promise.all([readSession(), getSubscription(claims.userId)]);
  ctx.timings["session.user"] = Math.round((performance.now() - started) * 1000) / 1000;
  if (!session.user) throw new AppError(session.refusal);
  ctx.user = session.user;
  ctx.plan = effectivePlan(subscription);
  // An address must be proven before the first model call, so one address is one free quota:
  // by the emailed link, or by an OAuth provider that reports it verified (lib/auth/index.ts).
  // Checked after ctx.user is set, so the refusal's audit row names the user.
  if (!session.user.emailVerified) throw unverifiedEmailError();
}
