import "server-only";
import { findUserById, type UserRecord } from "@/db/queries/users";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { clientIp } from "@/lib/http/client-ip";
import { AppError, rateLimitedError } from "@/lib/errors";
import { verifyPassword } from "@/lib/auth/password";
import { getSessionClaims, type SessionUser } from "@/lib/auth/session-user";

/** An account without a password (OAuth only) proves itself by a sign-in this recent. */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;

/**
 * A stolen session cookie alone must not change the password or delete the account: the
 * current password is asked (limited per user like log-in), or for an OAuth-only account a
 * sign-in within the last RECENT_SIGN_IN_SECONDS.
 */
export async function proveItIsYou(user: SessionUser, currentPassword: string | undefined, requestHeaders: Headers): Promise<UserRecord> {
  const record = await findUserById(user.id);
  if (!record) throw new AppError("unauthorized");
  if (!record.passwordHash) {
    const claims = await getSessionClaims();
    if (!claims || Date.now() / 1000 - claims.signedInAt > RECENT_SIGN_IN_SECONDS) {
      throw new AppError("forbidden", { message: "For your security, log out and sign in again, then retry within 10 minutes." });
    }
    return record;
  }
  const attempt = await checkAuthAttempt("sensitive", clientIp(requestHeaders), record.email ?? record.id);
  if (!attempt.allowed) throw rateLimitedError(attempt.retryAfterSeconds);
  if (!currentPassword || !(await verifyPassword(record.passwordHash, currentPassword))) {
    throw new AppError("invalid_input", { fieldErrors: { currentPassword: ["Current password is incorrect."] } });
  }
  return record;
}
