import "server-only";
import OpenAI from "openai";
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { EMBEDDING_DIMENSIONS, EMBEDDING_MODEL } from "./models";
import type { ChatModel, ChatRequest, Completion, Embedding, JsonSchemaFormat, ModelProvider, StreamEvent } from "./types";
import { guardedCall, guardedStream, type UpstreamFailure } from "./upstream";
import { fromResponsesUsage, type TokenUsage } from "./usage";

// OpenAI through the Responses API, with the server-only key; also the embeddings and moderation
// endpoints (the semantic cache and MODERATION=on need them, whichever provider answers).
// `store: false`: OpenAI keeps no copy of the conversation for later retrieval (the product
// keeps its own history and never uses previous_response_id). Retries are off: a retry would be
// a second upstream charge the reservation did not account for.

/** How the `openai` SDK's errors read (shared with the Chat Completions adapter). */
export function readOpenAIError(error: unknown): UpstreamFailure {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { timeout: true };
  if (error instanceof OpenAI.APIError) return { status: error.status, retryAfter: error.headers?.get("retry-after") };
  return {};
}

export const openAIClient = (options: { apiKey: string; baseURL?: string; timeoutMs: number }) =>
  new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: options.timeoutMs });

/** Cached input and reasoning are inside input_tokens and output_tokens: the mapper splits them out. */
const readUsage = (response: Pick<Response, "usage"> | null | undefined): TokenUsage | null =>
  response?.usage ? fromResponsesUsage(response.usage) : null;

/** "length" when the output cap cut the answer (the guard's check), the incomplete reason otherwise. */
function finishReason(response: Response): string {
  if (response.status !== "incomplete") return response.status ?? "completed";
  const reason = response.incomplete_details?.reason;
  return reason === "max_output_tokens" ? "length" : (reason ?? "incomplete");
}

/** What every call sends: the server-chosen model, the plan's output cap, the hashed user id, no storage. */
function requestParams(request: ChatRequest, format?: JsonSchemaFormat) {
  return {
    model: request.model,
    // Only what the API defines: a stored message's token count stays here.
    input: request.messages.map(({ role, content }) => ({ role, content })),
    max_output_tokens: request.maxOutputTokens,
    safety_identifier: request.safetyIdentifier,
    store: false,
    ...(format && { text: { format: { type: "json_schema" as const, name: format.name, schema: format.schema, strict: true } } }),
  };
}

export function createOpenAIProvider(options: { apiKey: string; baseURL?: string; timeoutMs: number }): ModelProvider {
  const client = openAIClient(options);

  function streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    return guardedStream(request.signal, options.timeoutMs, readOpenAIError, async function* (signal, touch) {
      const stream = await client.responses.create({ ...requestParams(request), stream: true }, { signal });
      yield { type: "open" } as const;
      for await (const event of stream as AsyncIterable<ResponseStreamEvent>) {
        touch();
        // A refusal streams in its own event; it is the reply the user sees (and is billed).
        if (event.type === "response.output_text.delta" || event.type === "response.refusal.delta") {
          if (event.delta) yield { type: "text", text: event.delta } as const;
        } else if (event.type === "response.completed" || event.type === "response.incomplete") {
          const usage = readUsage(event.response);
          if (usage) yield { type: "usage", usage } as const;
        } else if (event.type === "response.failed" || event.type === "error") {
          throw new Error(`The response failed: ${JSON.stringify(event.type === "error" ? event : event.response.error)}`);
        }
      }
    });
  }

  /** One whole answer: plain text, or constrained to a JSON schema (structured outputs). */
  function complete(request: ChatRequest, format?: JsonSchemaFormat): Promise<Completion> {
    return guardedCall(request.signal, options.timeoutMs, readOpenAIError, async (signal) => {
      const response = await client.responses.create(requestParams(request, format), { signal });
      let text = "";
      let refusal: string | null = null;
      for (const item of response.output) {
        if (item.type !== "message") continue;
        for (const part of item.content) {
          if (part.type === "output_text") text += part.text;
          else if (part.type === "refusal") refusal = (refusal ?? "") + part.refusal;
        }
      }
      return { text, refusal, finishReason: finishReason(response), usage: readUsage(response) };
    });
  }

  function isFlagged(text: string, signal: AbortSignal): Promise<boolean> {
    return guardedCall(signal, options.timeoutMs, readOpenAIError, async (callSignal) => {
      const result = await client.moderations.create({ model: "omni-moderation-latest", input: text }, { signal: callSignal });
      return result.results.some((entry) => entry.flagged);
    });
  }

  function embed(text: string, signal: AbortSignal): Promise<Embedding> {
    return guardedCall(signal, options.timeoutMs, readOpenAIError, async (callSignal) => {
      // "float" asked for explicitly: without it the SDK asks for base64 and decodes it itself.
      const result = await client.embeddings.create(
        { model: EMBEDDING_MODEL, input: text, dimensions: EMBEDDING_DIMENSIONS, encoding_format: "float" },
        { signal: callSignal },
      );
      const vector = result.data[0]?.embedding;
      if (!vector || vector.length !== EMBEDDING_DIMENSIONS)
        throw new Error(`The embedding has ${vector?.length ?? 0} dimensions, not ${EMBEDDING_DIMENSIONS}`);
      return { vector, tokens: result.usage.prompt_tokens };
    });
  }

  const chat: ChatModel = {
    isDemo: false,
    streamChat,
    completeJson: (request) => complete(request, request.format),
    completeText: (request) => complete(request),
  };
  return { ...chat, embed, isFlagged };
}
