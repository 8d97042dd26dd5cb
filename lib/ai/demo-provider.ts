import "server-only";
import { demoEmbedding } from "./demo-embedding";
import { EMBEDDING_DIMENSIONS } from "./models";
import { countEmbeddingTokens, countPromptTokens, countTextTokens } from "./tokens";
import type { ChatRequest, Completion, Embedding, JsonSchemaFormat, ModelProvider, StreamEvent } from "./types";
import { tokenUsage } from "./usage";

// Development without OPENAI_API_KEY: a model that answers with each feature's simulated answer
// (`demoAnswer`; the chat's show Markdown, tables and code: lib/ai/demo-replies.ts), streamed
// word by word like the real one, so the whole app (guard, quota, stop button, audit) can be tried without a key.
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

  async *streamChat(request: ChatRequest & { demoAnswer: () => string }): AsyncIterable<StreamEvent> {
    const words = request.demoAnswer().split(/(?<=\s)/);
    let reply = "";
    yield { type: "open" };
    for (const word of words) {
      if (request.signal.aborted || countTextTokens(reply + word) > request.maxOutputTokens) break;
      await sleep(WORD_DELAY_MS, request.signal);
      reply += word;
      yield { type: "text", text: word };
    }
    if (request.signal.aborted) return;
    yield { type: "usage", usage: tokenUsage({ uncachedInput: countPromptTokens(request.messages), output: countTextTokens(reply) }) };
  },

  async completeJson(request: ChatRequest & { format: JsonSchemaFormat; demoAnswer: () => unknown }): Promise<Completion> {
    const inputTokens = countPromptTokens(request.messages, JSON.stringify(request.format.schema));
    const text = JSON.stringify(request.demoAnswer());
    return { text, refusal: null, finishReason: "stop", usage: tokenUsage({ uncachedInput: inputTokens, output: countTextTokens(text) }) };
  },

  async completeText(request: ChatRequest & { demoAnswer: () => string }): Promise<Completion> {
    const text = request.demoAnswer();
    return {
      text,
      refusal: null,
      finishReason: "stop",
      usage: tokenUsage({ uncachedInput: countPromptTokens(request.messages), output: countTextTokens(text) }),
    };
  },

  async embed(text: string): Promise<Embedding> {
    return { vector: demoEmbedding(text, EMBEDDING_DIMENSIONS), tokens: await countEmbeddingTokens(text) };
  },

  async isFlagged(): Promise<boolean> {
    return false;
  },
};
