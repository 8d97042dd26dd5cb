import "server-only";
import { ApiError, GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentResponse } from "@google/genai";
import { catalogueEntry } from "./catalogue";
import type { ChatModel, ChatRequest, Completion, JsonSchemaFormat, StreamEvent } from "./types";
import { guardedCall, guardedStream, type UpstreamFailure } from "./upstream";
import { fromGeminiUsage, type TokenUsage } from "./usage";

// Gemini through @google/genai (the Gemini Developer API, v1beta: the version whose request
// schema carries thinkingConfig and responseJsonSchema). Retries off (retryOptions.attempts 1).
//
// Thinking: thinkingConfig.thinkingBudget is always set explicitly (never -1, "dynamic"): a
// quarter of the plan's output cap, within every 2.5 model's range (Flash 0–24,576, Pro
// 128–32,768). Thoughts are generated inside maxOutputTokens (a 2.5 model that thinks through
// the whole cap answers nothing, finishReason MAX_TOKENS), so maxOutputTokens, the plan's cap,
// bounds what the request can generate and the reservation's output bound holds.
//
// Note: Google documents that aborting a request does not cancel it in the service: it is
// still billed. An abort is charged accordingly (lib/guard/feature-stream.ts).

const MIN_THINKING_BUDGET = 128;
const MAX_THINKING_BUDGET = 24_576;

export function geminiThinkingBudget(model: string, maxOutputTokens: number): number | null {
  if (!catalogueEntry(model).capabilities.reasoning) return null;
  return Math.min(MAX_THINKING_BUDGET, Math.max(MIN_THINKING_BUDGET, Math.floor(maxOutputTokens / 4)));
}

/** Google's 429 carries its retry hint in the body (RetryInfo.retryDelay, e.g. "7s"), not a header. */
function readGeminiError(error: unknown): UpstreamFailure {
  if (!(error instanceof ApiError)) return {};
  const delay = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(error.message)?.[1];
  return { status: error.status, retryAfter: delay ?? null };
}

function requestOf(request: ChatRequest, format?: JsonSchemaFormat) {
  const system = request.messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n");
  const contents: Content[] = request.messages
    .filter((message) => message.role !== "system")
    .map(({ role, content }) => ({ role: role === "assistant" ? "model" : "user", parts: [{ text: content }] }));
  const budget = geminiThinkingBudget(request.model, request.maxOutputTokens);
  const config: GenerateContentConfig = {
    maxOutputTokens: request.maxOutputTokens,
    ...(system && { systemInstruction: system }),
    ...(budget !== null && { thinkingConfig: { thinkingBudget: budget } }),
    ...(format && { responseMimeType: "application/json", responseJsonSchema: format.schema }),
  };
  return { model: request.model, contents, config };
}

const readUsage = (response: GenerateContentResponse | undefined): TokenUsage | null =>
  response?.usageMetadata ? fromGeminiUsage(response.usageMetadata) : null;

/** The answer's text, thoughts left out (they are billed, never shown). */
const textOf = (response: GenerateContentResponse) =>
  (response.candidates?.[0]?.content?.parts ?? []).map((part) => (part.thought ? "" : (part.text ?? ""))).join("");

function finishReason(response: GenerateContentResponse): string | null {
  const reason = response.candidates?.[0]?.finishReason ?? null;
  return reason === "MAX_TOKENS" ? "length" : reason;
}

export function createGeminiProvider(options: { apiKey: string; baseURL?: string; timeoutMs: number }): ChatModel {
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: { ...(options.baseURL && { baseUrl: options.baseURL }), apiVersion: "v1beta", retryOptions: { attempts: 1 } },
  });

  function streamChat(request: ChatRequest): AsyncIterable<StreamEvent> {
    return guardedStream(request.signal, options.timeoutMs, readGeminiError, async function* (signal, touch) {
      const params = requestOf(request);
      const stream = await ai.models.generateContentStream({ ...params, config: { ...params.config, abortSignal: signal } });
      yield { type: "open" } as const;
      // Every chunk carries the usage so far; only the last one's (with a finishReason) is final.
      let final: TokenUsage | null = null;
      for await (const chunk of stream) {
        touch();
        const text = textOf(chunk);
        if (text) yield { type: "text", text } as const;
        if (chunk.candidates?.[0]?.finishReason) final = readUsage(chunk);
      }
      if (final && !signal.aborted) yield { type: "usage", usage: final } as const;
    });
  }

  function complete(request: ChatRequest, format?: JsonSchemaFormat): Promise<Completion> {
    return guardedCall(request.signal, options.timeoutMs, readGeminiError, async (signal) => {
      const params = requestOf(request, format);
      const response = await ai.models.generateContent({ ...params, config: { ...params.config, abortSignal: signal } });
      const blocked = response.promptFeedback?.blockReason;
      return {
        text: textOf(response),
        refusal: blocked ? `The prompt was blocked (${blocked}).` : null,
        finishReason: finishReason(response),
        usage: readUsage(response),
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
