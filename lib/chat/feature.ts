import "server-only";
import { z } from "zod";
import { saveExchange } from "@/db/queries/conversations";
import { demoReplyFor } from "@/lib/ai/demo-replies";
import { CHAT_PROMPT } from "@/lib/ai/prompts";
import { defineAIFeature } from "@/lib/guard/feature";
import type { FeatureStreamEvent } from "@/lib/guard/feature-stream";

// The chat: a stream feature (POST /api/chat → NDJSON events) that continues a stored
// conversation. What the browser may send, and nothing else: the new message and the
// conversation it belongs to (plus the one-time token, which the recipe reads). A model, role,
// system prompt, history, tier or price field is refused (strict object), so nobody can believe
// it was honoured. The cap here only stops absurd bodies early; the plan's limit gives the real
// message. History comes from the database, the system prompt from the server.

const TITLE_LENGTH = 60;

const chatRequestSchema = z
  .strictObject({
    conversationId: z.uuid().optional(),
    message: z.string().trim().min(1, "Type a message first.").max(200_000),
  })
  // A new conversation gets its id from the server now; it is stored with the first exchange.
  .transform((request) => ({ ...request, isNew: !request.conversationId, conversationId: request.conversationId ?? crypto.randomUUID() }));

/** What a new conversation is called: its first message, shortened. */
const titleOf = (message: string) => message.replace(/\s+/g, " ").slice(0, TITLE_LENGTH);

/** The start event names the conversation, so the sidebar can list a new one at once. */
export type ChatEvent = FeatureStreamEvent<{ conversationId: string; title: string }>;

export const chat = defineAIFeature({
  name: "chat",
  input: chatRequestSchema,
  cache: "off", // a reply depends on the whole conversation; caching it would rarely hit
  prompt: CHAT_PROMPT,
  buildMessages: (input) => [{ role: "user", content: input.message }],
  conversationOf: (input) => (input.isNew ? undefined : input.conversationId),
  output: {
    type: "stream",
    start: ({ input }) => ({ conversationId: input.conversationId, title: titleOf(input.message) }),
    save: ({ user, input }, reply) =>
      saveExchange({
        userId: user.id,
        conversationId: input.conversationId,
        title: titleOf(input.message),
        userText: input.message,
        assistantText: reply,
      }),
  },
  demoAnswer: (input) => demoReplyFor(input.message),
});
