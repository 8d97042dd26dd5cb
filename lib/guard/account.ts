import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import type { DailyUsage, Subscription } from "@/db/queries/account";
import { rowsOf } from "@/db/rows";
import { HISTORY_MESSAGES } from "@/lib/ai/prompts";
import type { CountedMessage } from "@/lib/ai/tokens";
import type { SessionRow } from "@/lib/auth/session-user";

/** Everything the guard reads from Postgres before it reserves, from one statement. */
export type AccountRead = {
  /** Null: no such user (deleted). */
  user: SessionRow | null;
  subscription: Pick<Subscription, "plan" | "status" | "cancelAt" | "paymentFailedAt" | "updatedAt"> | null;
  usage: DailyUsage;
  /** Only when a conversation id was given: whether it is the user's, and its latest messages, oldest first. */
  conversation?: { owned: boolean; history: CountedMessage[] };
};

type Json = {
  user: (Omit<SessionRow, "emailVerified" | "blockedAt"> & { emailVerified: string | null; blockedAt: string | null }) | null;
  subscription: { plan: string; status: string | null; cancelAt: string | null; paymentFailedAt: string | null; updatedAt: string } | null;
  usage: { requests: number; tokens: number } | null;
  owned: boolean | null;
  history: Array<{ role: "user" | "assistant"; content: string; tokens: number | null }> | null;
};

const date = (value: string | null) => (value === null ? null : new Date(value));

/**
 * One round trip: the user row (session version, block, verification, what the role is derived
 * from), the subscription, today's usage row and, when a conversation id is given, its
 * ownership and its last HISTORY_MESSAGES messages with their stored token counts. Read only:
 * it runs in parallel with the Redis round trip, and a request refused on what either returns
 * has changed nothing here. Bounded (one user, one day, at most HISTORY_MESSAGES messages),
 * so a flood of refused requests costs one small indexed read each.
 *
 * Returned as one JSON text, which both drivers (postgres.js and PGlite) hand over unchanged.
 */
export async function readAccount(userId: string, day: string, conversationId: string | undefined): Promise<AccountRead> {
  const db = await getDb();
  const conversation = conversationId ?? null;
  const [row] = rowsOf<{ account: string }>(
    await db.execute(sql`
      select json_build_object(
        'user', (select json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'emailVerified', u.email_verified,
            'passwordHash', u.password_hash, 'sessionVersion', u.session_version, 'blockedAt', u.blocked_at)
          from users u where u.id = ${userId}),
        'subscription', (select json_build_object('plan', s.plan, 'status', s.status, 'cancelAt', s.cancel_at,
            'paymentFailedAt', s.payment_failed_at, 'updatedAt', s.updated_at)
          from subscriptions s where s.user_id = ${userId}),
        'usage', (select json_build_object('requests', d.requests, 'tokens', d.tokens_used + d.tokens_reserved)
          from usage_daily d where d.user_id = ${userId} and d.day = ${day}::date),
        'owned', case when ${conversation}::uuid is null then null
          else exists (select 1 from conversations c where c.id = ${conversation}::uuid and c.user_id = ${userId}) end,
        'history', case when ${conversation}::uuid is null then null else (
          select coalesce(json_agg(json_build_object('role', m.role, 'content', m.content, 'tokens', m.token_count) order by m.created_at), '[]'::json)
          from (
            select m.role, m.content, m.token_count, m.created_at from messages m
            join conversations c on c.id = m.conversation_id
            where m.conversation_id = ${conversation}::uuid and c.user_id = ${userId}
            order by m.created_at desc limit ${HISTORY_MESSAGES}
          ) m) end
      )::text as account`),
  );
  const json = JSON.parse(row!.account) as Json;
  return {
    user: json.user && { ...json.user, emailVerified: date(json.user.emailVerified), blockedAt: date(json.user.blockedAt) },
    subscription: json.subscription && {
      ...json.subscription,
      cancelAt: date(json.subscription.cancelAt),
      paymentFailedAt: date(json.subscription.paymentFailedAt),
      updatedAt: new Date(json.subscription.updatedAt),
    },
    usage: { requests: Number(json.usage?.requests ?? 0), tokens: Number(json.usage?.tokens ?? 0) },
    ...(conversationId !== undefined && { conversation: { owned: json.owned === true, history: json.history ?? [] } }),
  };
}
