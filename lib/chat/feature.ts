import "server-only";
import { z } from "zod";
import { modelFor } from "@/lib/ai/models";
import { CHAT_PROMPT } from "@/lib/ai/prompts";
import type { AiFeature } from "@/lib/guard";
import { parseStrict } from "@/lib/guard/parse-strict";

// What the browser may send to the chat route, and nothing else: the new message, the
// conversation it belongs to, and the one-time token. A model, role, system prompt, history,
// tier or price field is refused (strict object), so nobody can believe it was honoured.
// The cap here only stops absurd bodies early; the plan's limit gives the real message.
export const chatRequestSchema = z.strictObject({
  conversationId: z.uuid().optional(),
  message: z.string().trim().min(1, "Type a message first.").max(200_000),
  token: z.string().min(1).max(200),
});

export const chatFeature: AiFeature<{ conversationId: string; isNew: boolean }> = {
  name: "chat",
  cache: "off", // a reply depends on the whole conversation; caching it would rarely hit
  parse(raw) {
    const request = parseStrict(chatRequestSchema, raw);
    return {
      token: request.token,
      userText: request.message,
      // Declared to the guard: its account statement checks the conversation is the user's
      // and loads its latest messages (with their stored token counts) for `build`.
      conversationId: request.conversationId,
      // A new conversation's id is made here, by the server; its row is written with the first exchange.
      value: { conversationId: request.conversationId ?? crypto.randomUUID(), isNew: !request.conversationId },
    };
  },
  build(request, plan, history) {
    return {
      userText: request.userText,
      messages: [{ role: "system", content: CHAT_PROMPT.system }, ...history, { role: "user", content: request.userText }],
      model: modelFor(plan),
      promptVersion: CHAT_PROMPT.version,
      cacheParams: {},
      extra: request.value,
    };
  },
};
