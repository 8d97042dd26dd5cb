import { afterAll, describe, expect, it, vi } from "vitest";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";
import { session } from "../support/session-mock";

// Issue 18.16: the chat page loaded every message of a conversation at once. It loads the latest
// CHAT_PAGE_SIZE, and earlier pages on request, only from the user's own conversations.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());
process.env.AUTH_SECRET ??= "integration-test-secret";

const { getDb } = await import("@/db");
const { conversations, messages } = await import("@/db/schema");
const { CHAT_PAGE_SIZE, conversationPage } = await import("@/db/queries/conversations");
const { loadEarlierMessagesAction } = await import("@/app/chat/actions");

afterAll(async () => closeDatabase(await getDb()));

async function conversationWith(userId: string, count: number) {
  const db = await getDb();
  const [conversation] = await db.insert(conversations).values({ userId, title: "Long" }).returning();
  // One statement, so every row shares one created_at: the id breaks the tie, as it must.
  const started = new Date("2030-01-01T00:00:00Z").getTime();
  await db.insert(messages).values(
    Array.from({ length: count }, (_, n) => ({
      conversationId: conversation!.id,
      role: n % 2 ? ("assistant" as const) : ("user" as const),
      content: `message ${n}`,
      createdAt: new Date(started + Math.floor(n / 4) * 1000), // four messages per second: ties too
    })),
  );
  return conversation!.id;
}

const earlier = (conversationId: string, before: string) => {
  const form = new FormData();
  form.set("conversationId", conversationId);
  form.set("before", before);
  return loadEarlierMessagesAction(null, form);
};

describe("a long conversation", () => {
  it("opens on the latest page and gives every earlier message exactly once, in order, a page at a time", async () => {
    const owner = await newUser();
    const total = CHAT_PAGE_SIZE * 2 + 17;
    const id = await conversationWith(owner.id, total);
    const first = await conversationPage(owner.id, id);
    expect(first.messages).toHaveLength(CHAT_PAGE_SIZE);
    expect(first.hasEarlier).toBe(true);
    expect(first.messages.at(-1)!.content).toMatch(new RegExp(`^message (${total - 1}|${total - 2}|${total - 3}|${total - 4})$`));

    session.user = owner;
    const seen = [...first.messages];
    for (let more = first.hasEarlier; more;) {
      const page = await earlier(id, seen[0]!.id);
      if (!page.ok) throw new Error(page.error.message);
      seen.unshift(...page.data.messages);
      more = page.data.hasEarlier;
    }
    // Each message once; in time order (messages of the same instant in any order, by id).
    const numbers = seen.map((message) => Number(message.content.split(" ")[1]));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
    const seconds = numbers.map((n) => Math.floor(n / 4));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
  });

  it("gives another user nothing: not their conversation, nor a message id from it", async () => {
    const owner = await newUser();
    const id = await conversationWith(owner.id, CHAT_PAGE_SIZE + 5);
    const { messages: latest } = await conversationPage(owner.id, id);
    const stranger = await newUser();
    expect(await conversationPage(stranger.id, id)).toEqual({ messages: [], hasEarlier: false });
    session.user = stranger;
    expect(await earlier(id, latest[0]!.id)).toMatchObject({ ok: false, error: { code: "not_found" } });
    // The stranger's own conversation with the owner's message id as the cursor: nothing either.
    const own = await conversationWith(stranger.id, 3);
    expect(await earlier(own, latest[0]!.id)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});
