import "server-only";
import type OpenAI from "openai";
import { openAIClient, readOpenAIError } from "./openai-provider";
import type { ChatModel, ChatRequest, Completion, JsonSchemaFormat, StreamEvent } from "./types";
import { guardedCall, guardedStream } from "./upstream";
import { fromChatCompletionsUsage, type TokenUsage } from "./usage";

// The "openai-compatible" provider: Chat Completions, the wire format OpenAI-compatible servers
// speak (OPENAI_COMPATIBLE_BASE_URL), through the `openai` SDK. OpenAI's own models go through
// the Responses API (openai-provider.ts). Retries are off, as in every adapter.

/** Cached input and reasoning are inside prompt_tokens and completion_tokens: the mapper splits them out. */
const readUsage = (usage: OpenAI.CompletionUsage | null | undefined): TokenUsage | null => (usage ? fromChatCompletionsUsage(usage) : null);

/** What every call sends: the server-chosen model, the plan's output cap, the hashed user id. */
function requestParams(request: ChatRequest) {
  return {
    model: request.model,
    // Only what the API defines: a stored message's token count stays here.
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    max_completion_tokens: request.maxOutputTokens,
    safety_identifier: request.safetyIdentifier,
  };
}

export function createChatCompletionsProvider(options: { apiKey: string; baseURL?: string; timeoutMs: number }): ChatModel {
  const client = openAIClient(options);

  function streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    return guardedStream(request.signal, options.timeoutMs, readOpenAIError, async function* (signal, touch) {
      const stream = await client.chat.completions.create(
        { ...requestParams(request), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      yield { type: "open" } as const;
      for await (const chunk of stream) {
        touch();
        const delta = chunk.choices[0]?.delta;
        // A refusal streams in its own field; it is the reply the user sees (and is billed).
        const text = delta?.content ?? delta?.refusal;
        if (text) yield { type: "text", text } as const;
        const usage = readUsage(chunk.usage);
        if (usage) yield { type: "usage", usage } as const;
      }
    });
  }

  /** One whole answer: plain text, or constrained to a JSON schema (structured outputs). */
  function complete(request: ChatRequest, format?: JsonSchemaFormat): Promise<Completion> {
    return guardedCall(request.signal, options.timeoutMs, readOpenAIError, async (signal) => {
      const completion = await client.chat.completions.create(
        {
          ...requestParams(request),
          ...(format && {
            response_format: { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: true } },
          }),
        },
        { signal },
      );
      const choice = completion.choices[0];
      return {
        text: choice?.message?.content ?? "",
        refusal: choice?.message?.refusal ?? null,
        finishReason: choice?.finish_reason ?? null,
        usage: readUsage(completion.usage),
      };
    });
  }

  return {
    isDemo: false,
    streamChat,
    completeJson: (request) => complete(request, request.format),
    completeText: (request) => complete(request),
  };
}
