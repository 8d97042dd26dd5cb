// What the guard asks of a model, whichever serves it (OpenAI or an OpenAI-compatible
// server, or the demo model in development).

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export type ModelUsage = { inputTokens: number; outputTokens: number };

export type StreamEvent = { type: "text"; text: string } | { type: "usage"; usage: ModelUsage };

export type ChatRequest = {
  model: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  /** A hash of the user id: lets the provider trace abuse to one user without learning who. */
  safetyIdentifier: string;
  signal: AbortSignal;
};

export type JsonSchemaFormat = { name: string; schema: Record<string, unknown> };

export interface ModelProvider {
  readonly isDemo: boolean;
  streamChat(request: ChatRequest): AsyncIterable<StreamEvent>;
  /** One non-streamed answer constrained to a JSON schema (structured outputs). */
  completeJson(request: ChatRequest & { format: JsonSchemaFormat; demoAnswer?: unknown }): Promise<{ text: string; usage: ModelUsage }>;
  /** True when the moderation endpoint flags the text. */
  isFlagged(text: string, signal: AbortSignal): Promise<boolean>;
}
