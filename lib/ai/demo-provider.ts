import "server-only";
import { countPromptTokens, countTextTokens } from "./tokens";
import type { ChatRequest, JsonAnswer, JsonSchemaFormat, ModelProvider, StreamEvent } from "./types";

// Development without OPENAI_API_KEY: a model that answers with a clearly labelled simulated
// reply, streamed word by word like the real one, so the whole app (guard, quota, stop
// button, audit) can be tried without a key. Production refuses to start without a key, so
// this never serves real users. The UI shows a banner whenever it is in use.

export const DEMO_NOTICE = "[Demo model: simulated reply. Set OPENAI_API_KEY for real answers.]";

const WORD_DELAY_MS = 25;

function demoReply(question: string): string {
  const quoted = question.length > 120 ? `${question.slice(0, 120)}…` : question;
  return `${DEMO_NOTICE}\n\nYou asked: "${quoted}"\n\nThis reply was generated locally, word by word, to show streaming, the stop button and usage accounting. Every request still went through the full guard pipeline: session, input checks, one-time token, rate limits, quota reservation, cache and audit.`;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export const demoProvider: ModelProvider = {
  isDemo: true,

  async *streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    const question = request.messages.findLast((message) => message.role === "user")?.content ?? "";
    const words = demoReply(question).split(/(?<=\s)/);
    let reply = "";
    yield { type: "open" };
    for (const word of words) {
      if (request.signal.aborted || countTextTokens(reply + word) > request.maxOutputTokens) break;
      await sleep(WORD_DELAY_MS, request.signal);
      reply += word;
      yield { type: "text", text: word };
    }
    if (request.signal.aborted) return;
    yield { type: "usage", usage: { inputTokens: countPromptTokens(request.messages), outputTokens: countTextTokens(reply) } };
  },

  async completeJson(request: ChatRequest & { format: JsonSchemaFormat; demoAnswer?: unknown }): Promise<JsonAnswer> {
    const inputTokens = countPromptTokens(request.messages, JSON.stringify(request.format.schema));
    const text = JSON.stringify(request.demoAnswer ?? {});
    return { text, refusal: null, finishReason: "stop", usage: { inputTokens, outputTokens: countTextTokens(text) } };
  },

  async isFlagged(): Promise<boolean> {
    return false;
  },
};
