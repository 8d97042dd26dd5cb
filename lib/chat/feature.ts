import "server-only";
import { z } from "zod";
import { saveExchange } from "@/db/queries/conversations";
import { MODEL_CATALOGUE } from "@/lib/ai/catalogue";
import { demoReplyFor } from "@/lib/ai/demo-replies";
import { modelFor } from "@/lib/ai/models";
import { defaultModelFor } from "@/lib/ai/offered";
import { CHAT_PROMPT } from "@/lib/ai/prompts";
import { defineAIFeature } from "@/lib/guard/feature";
import type { FeatureStreamEvent } from "@/lib/guard/feature-stream";

// The chat: a stream feature (POST /api/chat → NDJSON events) that continues a stored
// conversation. What the browser may send, and nothing else: the new message and the
// conversation it belongs to, and the model picked (plus the one-time token, which the recipe
// reads). A role, system prompt, history, tier or price field is refused (strict object), so
// nobody can believe it was honoured. A model outside the catalogue is refused here; one the
// catalogue has but the plan does not offer now (another plan's, or a provider without a key) is
// refused by the guard (lib/guard/steps/lookup.ts) with model_not_allowed, before any reservation. The cap here only stops absurd bodies early; the plan's limit gives the real
// message. History comes from the database, the system prompt from the server.

const TITLE_LENGTH = 60;

const chatRequestSchema = z
  .strictObject({
    conversationId: z.uuid().optional(),
    message: z.string().trim().min(1, "Type a message first.").max(200_000),
    model: z
      .string()
      .refine((id) => Object.hasOwn(MODEL_CATALOGUE, id), "Unknown model.")
      .optional(),
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
  // The picked model, else the best the plan offers now (the guard checks either against the plan).
  model: (input, plan) => input.model ?? defaultModelFor(plan) ?? modelFor(plan),
  conversationOf: (input) => (input.isNew ? undefined : input.conversationId),
  output: {
    type: "stream",
    start: ({ input }) => ({ conversationId: input.conversationId, title: titleOf(input.message) }),
    save: ({ user, input, model }, reply) =>
      saveExchange({
        userId: user.id,
        conversationId: input.conversationId,
        model,
        title: titleOf(input.message),
        userText: input.message,
        assistantText: reply,
      }),
  },
  demoAnswer: (input) => demoReplyFor(input.message),
});
