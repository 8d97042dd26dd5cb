// What the guard asks of a model, whichever serves it (OpenAI, Anthropic, Gemini, an
// OpenAI-compatible server, or the demo model in development).

import type { TokenUsage } from "./usage";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** "open": the upstream accepted the request and started answering (from here on it bills). */
export type StreamEvent = { type: "open" } | { type: "text"; text: string } | { type: "usage"; usage: TokenUsage };

/** A whole (not streamed) answer: the text, or the model's refusal; usage as reported, normalized (null if none). */
export type Completion = { text: string; refusal: string | null; finishReason: string | null; usage: TokenUsage | null };

export type ChatRequest = {
  model: string;
  /** A message may carry its stored token count; only role and content are sent. */
  messages: Array<ChatMessage & { tokens?: number | null }>;
  maxOutputTokens: number;
  /** A hash of the user id: lets the provider trace abuse to one user without learning who. */
  safetyIdentifier: string;
  signal: AbortSignal;
};

/** An input's embedding (unit length, EMBEDDING_DIMENSIONS floats) and the tokens it billed. */
export type Embedding = { vector: number[]; tokens: number };

export type JsonSchemaFormat = { name: string; schema: Record<string, unknown> };

// `demoAnswer`: what the demo model answers (each feature writes its own, clearly labelled);
// a real provider never calls it. One adapter per wire format implements ChatModel
// (lib/ai/*-provider.ts); embeddings and moderation are OpenAI's endpoints whichever model answers.
export interface ChatModel {
  readonly isDemo: boolean;
  streamChat(request: ChatRequest & { demoAnswer: () => string }): AsyncIterable<StreamEvent>;
  /** One non-streamed answer constrained to a JSON schema (structured outputs). */
  completeJson(request: ChatRequest & { format: JsonSchemaFormat; demoAnswer: () => unknown }): Promise<Completion>;
  /** One non-streamed plain-text answer. */
  completeText(request: ChatRequest & { demoAnswer: () => string }): Promise<Completion>;
}

export interface ModelProvider extends ChatModel {
  /** The text's embedding from the embeddings endpoint (the semantic cache's lookups). */
  embed(text: string, signal: AbortSignal): Promise<Embedding>;
  /** True when the moderation endpoint flags the text. */
  isFlagged(text: string, signal: AbortSignal): Promise<boolean>;
}
