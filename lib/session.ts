import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { findUserById } from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { roleFor } from "@/lib/roles";
import { sessionUserIdFrom } from "@/lib/session-token";

export type SessionUser = { id: string; email: string | null; name: string | null; role: Role };

/**
 * The signed-in user, or null. Every page, action and route checks this itself. The cookie
 * alone is not enough: the user must still exist, and the role is read from the database, so
 * a deleted account or a revoked admin loses access at once, not when the cookie expires.
 * Cached per request, so a layout and its page share one lookup.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const userId = await getSessionUserId();
  if (!userId) return null;
  const user = await findUserById(userId);
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, role: roleFor(user.email, user.role) };
});

/** The user id in the session cookie (decrypted, expiry checked), before any database lookup. */
export const getSessionUserId = cache(async (): Promise<string | null> => sessionUserIdFrom(await headers()));

export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthorized");
  return user;
}
