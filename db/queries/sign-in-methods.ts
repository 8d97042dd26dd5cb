import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { accounts, users } from "@/db/schema";

export type SignInMethod = { provider: string; confirmed: boolean };

/** The user an OAuth account is linked to, or null when it is linked to nobody yet. */
export async function findLinkedUserId(provider: string, providerAccountId: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select({ userId: accounts.userId })
    .from(accounts)
    .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)))
    .limit(1);
  return row?.userId ?? null;
}

/** The password (when set) and every linked provider, for /account. */
export async function listSignInMethods(userId: string): Promise<{ hasPassword: boolean; providers: SignInMethod[] }> {
  const db = await getDb();
  const [[user], links] = await Promise.all([
    db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1),
    db.select({ provider: accounts.provider, confirmedAt: accounts.confirmedAt }).from(accounts).where(eq(accounts.userId, userId)),
  ]);
  return {
    hasPassword: Boolean(user?.passwordHash),
    providers: links.map((link) => ({ provider: link.provider, confirmed: link.confirmedAt !== null })),
  };
}

/**
 * Removes one provider's links, only while another way to sign in remains (a password or another
 * provider), in one statement so two parallel removals cannot leave the account with none.
 * Returns how many links went (0: not linked, or it was the last way in).
 */
export async function removeSignInMethod(userId: string, provider: string): Promise<number> {
  const db = await getDb();
  const removed = await db
    .delete(accounts)
    .where(
      and(
        eq(accounts.userId, userId),
        eq(accounts.provider, provider),
        sql`(exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.passwordHash} is not null)
          or exists (select 1 from ${accounts} other where other.user_id = ${userId} and other.provider <> ${provider}))`,
      ),
    )
    .returning({ provider: accounts.provider });
  return removed.length;
}

/** A password reset proves the mailbox: links the owner never confirmed go (names of what went). */
export async function removeUnconfirmedLinks(userId: string): Promise<string[]> {
  const db = await getDb();
  const removed = await db
    .delete(accounts)
    .where(and(eq(accounts.userId, userId), isNull(accounts.confirmedAt)))
    .returning({ provider: accounts.provider });
  return removed.map((row) => row.provider);
}
