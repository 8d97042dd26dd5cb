import "server-only";
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsBase, MessageParam, Message, TextBlockParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { catalogueEntry } from "./catalogue";
import type { ChatModel, ChatRequest, Completion, JsonSchemaFormat, StreamEvent } from "./types";
import { guardedCall, guardedStream, type UpstreamFailure } from "./upstream";
import { fromAnthropicUsage, type AnthropicUsage } from "./usage";

// Anthropic through the Messages API (@anthropic-ai/sdk), retries off as in every adapter.
//
// Prompt caching: a cache_control breakpoint on the system prompt (the same for every turn of a
// feature) and one on the last message (the next turn of a chat reads the whole history from
// the cache). Two of the four breakpoints the API allows; the default 5-minute TTL, which the
// catalogue prices (lib/ai/catalogue.ts). A prefix below the model's minimum is simply not cached.
//
// Extended thinking, when the catalogue says the model reasons: budget_tokens set explicitly,
// half the plan's output cap. Thinking counts inside max_tokens, so max_tokens (the plan's cap)
// still bounds everything the request can generate: the reservation's output bound holds.

/** The API's floor for a thinking budget; it must also stay below max_tokens. */
const MIN_THINKING_BUDGET = 1024;

/** The thinking budget for this request, or none (a model without reasoning, or a cap too small for the floor). */
export function anthropicThinkingBudget(model: string, maxOutputTokens: number): number | null {
  if (!catalogueEntry(model).capabilities.reasoning) return null;
  const budget = Math.floor(maxOutputTokens / 2);
  return budget >= MIN_THINKING_BUDGET && budget < maxOutputTokens ? budget : null;
}

function readAnthropicError(error: unknown): UpstreamFailure {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { timeout: true };
  if (error instanceof Anthropic.APIError) return { status: error.status, retryAfter: error.headers?.get("retry-after") };
  return {};
}

const EPHEMERAL = { type: "ephemeral" } as const;

/** The request's body: system messages joined into the system prompt, the rest in order, two cache breakpoints. */
function requestParams(request: ChatRequest, format?: JsonSchemaFormat): MessageCreateParamsBase {
  const system = request.messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n");
  const turns = request.messages.filter((message) => message.role !== "system");
  const messages: MessageParam[] = turns.map(({ role, content }, index) => ({
    role: role as "user" | "assistant",
    content: index === turns.length - 1 ? [{ type: "text", text: content, cache_control: EPHEMERAL }] : content,
  }));
  const systemBlocks: TextBlockParam[] | undefined = system ? [{ type: "text", text: system, cache_control: EPHEMERAL }] : undefined;
  const budget = anthropicThinkingBudget(request.model, request.maxOutputTokens);
  return {
    model: request.model,
    max_tokens: request.maxOutputTokens,
    messages,
    ...(systemBlocks && { system: systemBlocks }),
    // Anthropic's field for an opaque end-user id (the hashed user id, as OpenAI gets it).
    metadata: { user_id: request.safetyIdentifier },
    ...(budget !== null && { thinking: { type: "enabled", budget_tokens: budget } }),
    ...(format && { output_config: { format: { type: "json_schema", schema: format.schema } } }),
  } as MessageCreateParamsBase;
}

const finishReason = (message: Pick<Message, "stop_reason">) => (message.stop_reason === "max_tokens" ? "length" : message.stop_reason);

export function createAnthropicProvider(options: { apiKey: string; baseURL?: string; timeoutMs: number }): ChatModel {
  const client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: options.timeoutMs });

  function streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    return guardedStream(request.signal, options.timeoutMs, readAnthropicError, async function* (signal, touch) {
      const stream = await client.messages.create({ ...requestParams(request), stream: true }, { signal });
      yield { type: "open" } as const;
      // message_start carries the input usage; message_delta the cumulative usage, final at the end.
      let usage: AnthropicUsage | null = null;
      for await (const event of stream) {
        touch();
        if (event.type === "message_start") usage = event.message.usage;
        else if (event.type === "message_delta") usage = { ...usage, ...event.usage } as AnthropicUsage;
        else if (event.type === "content_block_delta" && event.delta.type === "text_delta" && event.delta.text) {
          yield { type: "text", text: event.delta.text } as const;
        } else if (event.type === "message_stop" && usage) {
          yield { type: "usage", usage: fromAnthropicUsage(usage) } as const;
        }
      }
    });
  }

  function complete(request: ChatRequest, format?: JsonSchemaFormat): Promise<Completion> {
    return guardedCall(request.signal, options.timeoutMs, readAnthropicError, async (signal) => {
      const message = await client.messages.create({ ...requestParams(request, format), stream: false }, { signal });
      const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      return {
        text,
        refusal: message.stop_reason === "refusal" ? text || "The model refused to answer." : null,
        finishReason: finishReason(message),
        usage: fromAnthropicUsage(message.usage),
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
