import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { findUserById, type UserRecord } from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { roleFor } from "@/lib/auth/roles";
import { sessionClaimsFrom, type SessionClaims } from "@/lib/auth/session-token";

export type SessionUser = {
  id: string;
  email: string | null;
  name: string | null;
  role: Role;
  /** Signs in with a password (and so must prove the address by a link before model calls). */
  hasPassword: boolean;
  emailVerified: boolean;
};

/** Why a cookie gets no user: none or no longer valid (`unauthorized`), or the account is blocked. */
export type SessionRead = { user: SessionUser } | { user: null; refusal: "unauthorized" | "account_blocked" };

/** The user row's columns a session depends on (the guard reads just these, in its account statement). */
export type SessionRow = Pick<UserRecord, "id" | "email" | "name" | "emailVerified" | "passwordHash" | "sessionVersion" | "blockedAt">;

export function toSessionUser(user: SessionRow): SessionUser {
  const emailVerified = user.emailVerified !== null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: roleFor(user.email, emailVerified),
    hasPassword: user.passwordHash !== null,
    emailVerified,
  };
}

/** The rule for a cookie and the user row it names (kept apart so it can be tested directly). */
export function judgeSession(claims: SessionClaims | null, user: SessionRow | null): SessionRead {
  if (!claims || !user) return { user: null, refusal: "unauthorized" };
  if (user.blockedAt) return { user: null, refusal: "account_blocked" };
  // Log-out everywhere, a password change or reset bumped the version: this cookie is revoked.
  if (user.sessionVersion !== claims.sessionVersion) return { user: null, refusal: "unauthorized" };
  return { user: toSessionUser(user) };
}

/**
 * The session of this request. Every page, action and route checks it itself. The cookie
 * alone is not enough: the user must still exist, not be blocked, and the cookie must carry
 * the user's current session version; the role is read from the database. So a deleted,
 * blocked or revoked session loses access at once, not when the cookie expires. Cached per
 * request, so a layout and its page share one lookup.
 */
export const readSession = cache(async (): Promise<SessionRead> => {
  const claims = await getSessionClaims();
  return judgeSession(claims, claims ? await findUserById(claims.userId) : null);
});

/** The signed-in user, or null (also for a blocked or revoked session). */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => (await readSession()).user);

/** The cookie's claims (decrypted, expiry and age checked), before any database lookup. */
export const getSessionClaims = cache(async (): Promise<SessionClaims | null> => sessionClaimsFrom(await headers()));

/** The user, or the typed refusal: `account_blocked` for a blocked account, else `unauthorized`. */
export async function requireUser(): Promise<SessionUser> {
  const session = await readSession();
  if (!session.user) throw new AppError(session.refusal);
  return session.user;
}
