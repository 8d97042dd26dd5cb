import "server-only";
import { demoReplyFor } from "./demo-replies";
import { estimateTokens } from "./models";
import type { ChatRequest, JsonSchemaFormat, ModelProvider, StreamEvent } from "./types";

// Development without OPENAI_API_KEY: a model that answers with simulated replies (Markdown,
// tables, code in several languages; lib/ai/demo-replies.ts), streamed word by word like the
// real one, so the whole app (guard, quota, stop button, audit) can be tried without a key.
// Production refuses to start without a key, so this never serves real users. The chat and
// tool pages show one "Demo model" badge whenever it is in use.

const WORD_DELAY_MS = 25;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export const demoProvider: ModelProvider = {
  isDemo: true,

  async *streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    const question = request.messages.findLast((message) => message.role === "user")?.content ?? "";
    const words = demoReplyFor(question).split(/(?<=\s)/);
    let outputTokens = 0;
    for (const word of words) {
      if (request.signal.aborted || outputTokens >= request.maxOutputTokens) break;
      await sleep(WORD_DELAY_MS, request.signal);
      outputTokens++;
      yield { type: "text", text: word };
    }
    if (request.signal.aborted) return;
    const inputTokens = request.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    yield { type: "usage", usage: { inputTokens, outputTokens } };
  },

  async completeJson(request: ChatRequest & { format: JsonSchemaFormat; demoAnswer?: unknown }) {
    const inputTokens = request.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    const text = JSON.stringify(request.demoAnswer ?? {});
    return { text, usage: { inputTokens, outputTokens: estimateTokens(text) } };
  },

  async isFlagged(): Promise<boolean> {
    return false;
  },
};
