import "server-only";
import { z } from "zod";
import { isOwnConversation, recentMessages } from "@/db/queries/conversations";
import { modelFor } from "@/lib/ai/models";
import { CHAT_PROMPT, HISTORY_MESSAGES } from "@/lib/ai/prompts";
import { AppError } from "@/lib/errors";
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

export const chatFeature: AiFeature = {
  name: "chat",
  cache: "off", // a reply depends on the whole conversation; caching it would rarely hit
  async prepare(raw, _user, plan) {
    const request = parseStrict(chatRequestSchema, raw);
    return {
      token: request.token,
      userText: request.message,
      messages: [
        { role: "system", content: CHAT_PROMPT.system },
        { role: "user", content: request.message },
      ],
      model: modelFor(plan),
      promptVersion: CHAT_PROMPT.version,
      cacheParams: {},
      extra: { conversationId: request.conversationId ?? crypto.randomUUID(), isNew: !request.conversationId },
    };
  },
  // The conversation's ownership and its latest messages (with their stored token counts).
  async loadHistory(input, user) {
    if (input.extra.isNew) return input.messages;
    const conversationId = String(input.extra.conversationId);
    const [owned, history] = await Promise.all([
      isOwnConversation(user.id, conversationId),
      recentMessages(user.id, conversationId, HISTORY_MESSAGES),
    ]);
    if (!owned) throw new AppError("not_found", { message: "Conversation not found." });
    const [system, ...rest] = input.messages;
    return [system!, ...history.map((message) => ({ role: message.role, content: message.content, tokens: message.tokenCount })), ...rest];
  },
};
