import "server-only";
import OpenAI from "openai";
import { AppError } from "@/lib/errors";
import { EMBEDDING_DIMENSIONS, EMBEDDING_MODEL } from "./models";
import type { ChatRequest, Completion, Embedding, JsonSchemaFormat, ModelProvider, StreamEvent } from "./types";
import { fromChatCompletionsUsage, type TokenUsage } from "./usage";

// The real provider: the `openai` SDK with the server-only key, against OpenAI or any
// OpenAI-compatible server (OPENAI_BASE_URL). Retries are off: a retry would be a second
// upstream charge the reservation did not account for.

export class ClientAbort extends Error {
  constructor() {
    super("The client closed the request");
    this.name = "ClientAbort";
  }
}

/** Maps whatever the SDK throws to the error the user sees (or a client abort). */
export function toUpstreamError(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return new ClientAbort();
  if (error instanceof AppError || error instanceof ClientAbort) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new AppError("upstream_timeout", { cause: error });
  if (error instanceof OpenAI.APIError && error.status === 429) {
    const retryAfter = Number(error.headers?.get("retry-after"));
    return new AppError("upstream_rate_limited", {
      cause: error,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 10,
    });
  }
  return new AppError("upstream_error", { cause: error });
}

/**
 * An AbortSignal that fires on the client's abort, or when the upstream stays silent for
 * `idleMs` (the SDK's timeout only covers the wait for the response headers). `touch()`
 * restarts the idle clock after each chunk.
 */
function idleGuard(clientSignal: AbortSignal, idleMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleMs);
  };
  const onClientAbort = () => controller.abort();
  clientSignal.addEventListener("abort", onClientAbort, { once: true });
  touch();
  return {
    signal: controller.signal,
    touch,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    },
  };
}

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

export function createOpenAIProvider(options: { apiKey: string; baseURL?: string; timeoutMs: number }): ModelProvider {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: options.timeoutMs });

  async function* streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    const idle = idleGuard(request.signal, options.timeoutMs);
    try {
      const stream = await client.chat.completions.create(
        {
          ...requestParams(request),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: idle.signal },
      );
      yield { type: "open" };
      for await (const chunk of stream) {
        idle.touch();
        const delta = chunk.choices[0]?.delta;
        // A refusal streams in its own field; it is the reply the user sees (and is billed).
        const text = delta?.content ?? delta?.refusal;
        if (text) yield { type: "text", text };
        const usage = readUsage(chunk.usage);
        if (usage) yield { type: "usage", usage };
      }
      // After an abort the SDK's iterator just ends: tell the caller why.
      if (request.signal.aborted) throw new ClientAbort();
      if (idle.timedOut()) throw new AppError("upstream_timeout");
    } catch (error) {
      if (idle.timedOut() && !request.signal.aborted) throw new AppError("upstream_timeout", { cause: error });
      throw toUpstreamError(error, request.signal);
    } finally {
      idle.dispose();
    }
  }

  /** One whole answer: plain text, or constrained to a JSON schema (structured outputs). */
  async function complete(request: ChatRequest, format?: JsonSchemaFormat): Promise<Completion> {
    try {
      const completion = await client.chat.completions.create(
        {
          ...requestParams(request),
          ...(format && {
            response_format: { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: true } },
          }),
        },
        { signal: request.signal },
      );
      const choice = completion.choices[0];
      return {
        text: choice?.message?.content ?? "",
        refusal: choice?.message?.refusal ?? null,
        finishReason: choice?.finish_reason ?? null,
        usage: readUsage(completion.usage),
      };
    } catch (error) {
      throw toUpstreamError(error, request.signal);
    }
  }

  async function isFlagged(text: string, signal: AbortSignal): Promise<boolean> {
    try {
      const result = await client.moderations.create({ model: "omni-moderation-latest", input: text }, { signal });
      return result.results.some((entry) => entry.flagged);
    } catch (error) {
      throw toUpstreamError(error, signal);
    }
  }

  async function embed(text: string, signal: AbortSignal): Promise<Embedding> {
    try {
      // "float" asked for explicitly: without it the SDK asks for base64 and decodes it itself.
      const result = await client.embeddings.create(
        { model: EMBEDDING_MODEL, input: text, dimensions: EMBEDDING_DIMENSIONS, encoding_format: "float" },
        { signal },
      );
      const vector = result.data[0]?.embedding;
      if (!vector || vector.length !== EMBEDDING_DIMENSIONS)
        throw new Error(`The embedding has ${vector?.length ?? 0} dimensions, not ${EMBEDDING_DIMENSIONS}`);
      return { vector, tokens: result.usage.prompt_tokens };
    } catch (error) {
      throw toUpstreamError(error, signal);
    }
  }

  return {
    isDemo: false,
    streamChat,
    completeJson: (request) => complete(request, request.format),
    completeText: (request) => complete(request),
    embed,
    isFlagged,
  };
}
