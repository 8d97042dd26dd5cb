import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { users, type Role } from "@/db/schema";
import { inheritTodaysUsage } from "./usage-carryover";

export type UserRecord = typeof users.$inferSelect;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(email: string): Promise<UserRecord | null> {
  const db = await getDb();
  const [user] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .limit(1);
  return user ?? null;
}

export async function findUserById(id: string): Promise<UserRecord | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

/** Inserts a password user; null when the email is already taken (unique constraint). */
export async function insertPasswordUser(input: {
  email: string;
  name: string | null;
  passwordHash: string;
  role: Role;
  signupIpHash?: string | null;
}): Promise<UserRecord | null> {
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ ...input, email: normalizeEmail(input.email) })
    .onConflictDoNothing({ target: users.email })
    .returning();
  if (user) await inheritTodaysUsage(user.id, user.email);
  return user ?? null;
}

export async function setUserRole(id: string, role: Role): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ role }).where(eq(users.id, id));
}

export async function setPasswordHash(id: string, passwordHash: string): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** Invalidates every session cookie of the user (they carry the old version); returns the new version. */
export async function revokeAllSessions(id: string): Promise<number | null> {
  const db = await getDb();
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, id))
    .returning({ sessionVersion: users.sessionVersion });
  return row?.sessionVersion ?? null;
}

/** Blocking also revokes every session; unblocking leaves them revoked (the user signs in again). */
export async function setUserBlocked(id: string, blocked: boolean): Promise<void> {
  const db = await getDb();
  await db
    .update(users)
    .set(blocked ? { blockedAt: new Date(), sessionVersion: sql`${users.sessionVersion} + 1` } : { blockedAt: null })
    .where(eq(users.id, id));
}

/** Marks the address proven, only if it is still the address the link was sent to. */
export async function markEmailVerified(id: string, email: string): Promise<void> {
  const db = await getDb();
  await db
    .update(users)
    .set({ emailVerified: new Date() })
    .where(and(eq(users.id, id), eq(users.email, normalizeEmail(email)), isNull(users.emailVerified)));
}

/** A new password revokes every session (a reset, or a change after a suspected leak). */
export async function replacePassword(id: string, passwordHash: string, options: { emailProven?: boolean } = {}): Promise<void> {
  const db = await getDb();
  await db
    .update(users)
    .set({
      passwordHash,
      sessionVersion: sql`${users.sessionVersion} + 1`,
      ...(options.emailProven && { emailVerified: sql`coalesce(${users.emailVerified}, now())` }),
    })
    .where(eq(users.id, id));
}
