import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { users, type Role } from "@/db/schema";

export type UserRecord = typeof users.$inferSelect;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(email: string): Promise<UserRecord | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
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
}): Promise<UserRecord | null> {
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ ...input, email: normalizeEmail(input.email) })
    .onConflictDoNothing({ target: users.email })
    .returning();
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
