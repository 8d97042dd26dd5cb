import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { conversations, messages } from "@/db/schema";
import { storableText } from "@/lib/text/storable";
import { countTextTokens } from "@/lib/ai/tokens";

// Every query takes the user id and filters on it: a conversation id alone never reaches data.

export type ConversationSummary = { id: string; title: string; updatedAt: Date };

export async function listConversations(userId: string): Promise<ConversationSummary[]> {
  const db = await getDb();
  return db
    .select({ id: conversations.id, title: conversations.title, updatedAt: conversations.updatedAt })
    .from(conversations)
    .where(eq(conversations.userId, userId))
    .orderBy(desc(conversations.updatedAt))
    .limit(100);
}

/** One of the user's conversations, with the model of its latest exchange; null when it is not theirs (or gone). */
export async function ownConversation(userId: string, conversationId: string): Promise<{ model: string | null } | null> {
  const db = await getDb();
  const [row] = await db
    .select({ model: conversations.model })
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
    .limit(1);
  return row ?? null;
}

/** The latest `limit` messages of one of the user's conversations, oldest first. */
export async function recentMessages(userId: string, conversationId: string, limit: number) {
  const db = await getDb();
  const rows = await db
    .select({ role: messages.role, content: messages.content, tokenCount: messages.tokenCount, createdAt: messages.createdAt })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.conversationId, conversationId), eq(conversations.userId, userId)))
    .orderBy(desc(messages.createdAt))
    .limit(limit);
  return rows.reverse();
}

/** Messages the chat page loads at once; earlier ones come a page at a time on request. */
export const CHAT_PAGE_SIZE = 50;

export type ConversationPage = {
  messages: Array<{ id: string; role: "user" | "assistant"; content: string }>;
  /** Older messages exist before the first one here. */
  hasEarlier: boolean;
};

/**
 * One page of a conversation of the user's, oldest first: the latest `limit` messages, or the
 * `limit` before the message `before` (a message of the same conversation; another id matches
 * nothing). Ordered by (created_at, id) on the conversation's index, one statement.
 */
export async function conversationPage(
  userId: string,
  conversationId: string,
  { before, limit = CHAT_PAGE_SIZE }: { before?: string; limit?: number } = {},
): Promise<ConversationPage> {
  const db = await getDb();
  const cursor = before
    ? sql`(${messages.createdAt}, ${messages.id}) < (select m.created_at, m.id from messages m where m.id = ${before} and m.conversation_id = ${conversationId})`
    : undefined;
  const rows = await db
    .select({ id: messages.id, role: messages.role, content: messages.content })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.conversationId, conversationId), eq(conversations.userId, userId), cursor))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1);
  return { messages: rows.slice(0, limit).reverse(), hasEarlier: rows.length > limit };
}

/**
 * Saves both turns of one exchange. A new conversation (its id made by the server) is created
 * here, so a refused or failed first message leaves no empty conversation behind.
 */
export async function saveExchange(options: {
  userId: string;
  conversationId: string;
  title: string;
  /** The model that answered: the conversation keeps its latest, for the picker. */
  model: string;
  userText: string;
  assistantText: string;
}): Promise<void> {
  const db = await getDb();
  // What the client sent (and the model echoed) may hold a NUL, which PostgreSQL refuses in text.
  const [title, userText, assistantText] = [options.title, options.userText, options.assistantText].map(storableText);
  // One statement: the conversation row (never one that belongs to someone else: then nothing
  // is returned and no message is written), then both messages in order, each with its token
  // count so later requests reserve for the history without re-tokenizing it.
  await db.execute(sql`
    with conversation as (
      insert into conversations as c (id, user_id, title, model)
      values (${options.conversationId}, ${options.userId}, ${title}, ${options.model})
      on conflict (id) do update set updated_at = now(), model = excluded.model where c.user_id = ${options.userId}
      returning id
    )
    insert into messages (conversation_id, role, content, token_count, created_at)
    select id, 'user', ${userText}, ${countTextTokens(userText!)}::int, clock_timestamp() from conversation
    union all
    select id, 'assistant', ${assistantText}, ${countTextTokens(assistantText!)}::int, clock_timestamp() + interval '1 microsecond' from conversation`);
}

export async function renameConversation(userId: string, conversationId: string, title: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(conversations)
    .set({ title: storableText(title), updatedAt: sql`now()` })
    .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

export async function deleteConversation(userId: string, conversationId: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .delete(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}
