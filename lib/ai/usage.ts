import { catalogueEntry, EMBEDDING_PRICES, type TokenPrices } from "./catalogue";
import { EMBEDDING_MODEL } from "./models";

// One usage record for every provider, and its cost. Each provider reports usage in its own
// fields, and they disagree on what includes what; this is where gateways go wrong (LiteLLM
// #6215 billed OpenAI's cached tokens twice, #9812 and #11364 Anthropic's cache writes and reads,
// #14849 Gemini's cached tokens; several gateways dropped Gemini's thinking tokens). So every
// field below is disjoint from every other: a token is counted in exactly one of them.
//
// What includes what, per provider (the mappers below follow it):
// - Chat Completions: prompt_tokens INCLUDES prompt_tokens_details.cached_tokens; completion_tokens
//   INCLUDES completion_tokens_details.reasoning_tokens. No cache write.
// - Responses: input_tokens INCLUDES input_tokens_details.cached_tokens; output_tokens INCLUDES
//   output_tokens_details.reasoning_tokens. No cache write. Tool calls are output items.
// - Anthropic Messages: input_tokens EXCLUDES cache_read_input_tokens and
//   cache_creation_input_tokens (all three are added); output_tokens INCLUDES thinking, which is
//   not reported apart. server_tool_use.web_search_requests counts the searches.
// - Gemini: promptTokenCount INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES
//   thoughtsTokenCount (added, billed as output); toolUsePromptTokenCount is apart from the
//   prompt (added, billed as input). No cache write for implicit caching.

export type TokenUsage = {
  /** Input billed at the base input rate (not read from or written to a cache). */
  uncachedInput: number;
  /** Input read from the provider's prompt cache. */
  cacheRead: number;
  /** Input written to the provider's prompt cache (Anthropic only). */
  cacheWrite: number;
  /** Generated tokens the user sees (text, a refusal, JSON), reasoning excluded. */
  output: number;
  /** Hidden reasoning or thinking tokens, where the provider reports them apart. */
  reasoning: number;
  /** Calls of built-in tools billed per call (e.g. `web_search`), by name. */
  toolCalls: Record<string, number>;
};

export const NO_USAGE: TokenUsage = Object.freeze({
  uncachedInput: 0,
  cacheRead: 0,
  cacheWrite: 0,
  output: 0,
  reasoning: 0,
  toolCalls: {},
});

/** A usage record from a few fields (the rest zero). */
export const tokenUsage = (fields: Partial<TokenUsage>): TokenUsage => ({ ...NO_USAGE, toolCalls: {}, ...fields });

/** All input tokens, however billed (what the daily token quota counts). */
export const inputTokensOf = (usage: TokenUsage) => usage.uncachedInput + usage.cacheRead + usage.cacheWrite;

/** All generated tokens, reasoning included (what the daily token quota counts). */
export const outputTokensOf = (usage: TokenUsage) => usage.output + usage.reasoning;

/** A count from an upstream usage object: absent, negative or not a number counts as 0; a fraction is rounded up. */
const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0);

/** Splits a total into the part it includes and the rest, never negative (a part larger than its total is capped). */
function split(total: unknown, included: unknown): [rest: number, part: number] {
  const whole = count(total);
  const part = Math.min(count(included), whole);
  return [whole - part, part];
}

const toolCalls = (calls: Record<string, unknown> = {}): Record<string, number> =>
  Object.fromEntries(Object.entries(calls).flatMap(([name, value]) => (count(value) > 0 ? [[name, count(value)]] : [])));

/** OpenAI Chat Completions `usage` (also what OpenAI-compatible servers report). */
export type ChatCompletionsUsage = {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
};

export function fromChatCompletionsUsage(usage: ChatCompletionsUsage, calls?: Record<string, number>): TokenUsage {
  const [uncachedInput, cacheRead] = split(usage.prompt_tokens, usage.prompt_tokens_details?.cached_tokens);
  const [output, reasoning] = split(usage.completion_tokens, usage.completion_tokens_details?.reasoning_tokens);
  return { uncachedInput, cacheRead, cacheWrite: 0, output, reasoning, toolCalls: toolCalls(calls) };
}

/** OpenAI Responses API `usage`. Tool calls are output items (e.g. `web_search_call`), counted by the caller. */
export type ResponsesUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
};

export function fromResponsesUsage(usage: ResponsesUsage, calls?: Record<string, number>): TokenUsage {
  const [uncachedInput, cacheRead] = split(usage.input_tokens, usage.input_tokens_details?.cached_tokens);
  const [output, reasoning] = split(usage.output_tokens, usage.output_tokens_details?.reasoning_tokens);
  return { uncachedInput, cacheRead, cacheWrite: 0, output, reasoning, toolCalls: toolCalls(calls) };
}

/**
 * Anthropic Messages API `usage` (in a stream: the final `message_delta`'s cumulative usage, not
 * `message_start`'s). `input_tokens` counts only what came after the last cache breakpoint: cache
 * reads and writes are added to it, never inside it. `output_tokens` includes extended thinking,
 * which the API does not count apart, so it all lands in `output` (same price). A 1-hour cache
 * write (`cache_creation.ephemeral_1h_input_tokens`) is priced as a 5-minute one: the product never
 * asks for 1-hour caching (lib/ai/catalogue.ts).
 */
export type AnthropicUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  server_tool_use?: { web_search_requests?: number | null; web_fetch_requests?: number | null } | null;
};

export function fromAnthropicUsage(usage: AnthropicUsage): TokenUsage {
  return {
    uncachedInput: count(usage.input_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    output: count(usage.output_tokens),
    reasoning: 0,
    // Web fetch has no per-call fee (its content is billed as input tokens).
    toolCalls: toolCalls({ web_search: usage.server_tool_use?.web_search_requests }),
  };
}

/**
 * Gemini `usageMetadata`. `promptTokenCount` includes `cachedContentTokenCount`; the thinking
 * (`thoughtsTokenCount`) and the tool-use prompt (`toolUsePromptTokenCount`, e.g. search results
 * fed back to the model) are counted apart from the prompt and the candidates, and billed as
 * output and input. Grounding with Google Search is billed per grounded prompt: the caller counts
 * one `web_search` call when the response carries grounding metadata.
 */
export type GeminiUsage = {
  promptTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  candidatesTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  toolUsePromptTokenCount?: number | null;
};

export function fromGeminiUsage(usage: GeminiUsage, calls?: Record<string, number>): TokenUsage {
  const [prompt, cacheRead] = split(usage.promptTokenCount, usage.cachedContentTokenCount);
  return {
    uncachedInput: prompt + count(usage.toolUsePromptTokenCount),
    cacheRead,
    cacheWrite: 0,
    output: count(usage.candidatesTokenCount),
    reasoning: count(usage.thoughtsTokenCount),
    toolCalls: toolCalls(calls),
  };
}

// Costs are summed in pico-dollars (micro-dollars per token x 1e6, a whole number for every price
// the catalogue allows) so that no float error decides a rounding: 30 tokens at $0.10/M is exactly
// 3 micro-dollars, where 30 * 0.1 in floating point is 3.0000000000000004 and would round up to 4.
const PICO_PER_MICRO = 1_000_000;
const pico = (pricePerMillion: number) => Math.round(pricePerMillion * PICO_PER_MICRO);

/** The prices that apply to a request with this usage (the long-prompt tier above its threshold). */
export function pricesFor(model: string, promptTokens: number): TokenPrices {
  const entry = catalogueEntry(model);
  return entry.longPrompt && promptTokens > entry.longPrompt.aboveInputTokens ? entry.longPrompt.prices : entry.prices;
}

/**
 * What the provider bills for this usage under the catalogue's prices (PRICE_VERSION), in integer
 * micro-dollars, rounded up once at the end so that many small requests never add up to free.
 * Throws for a model without a price, or a tool call without a fee.
 */
export function usageCostMicros(model: string, usage: TokenUsage): number {
  const entry = catalogueEntry(model);
  const prices = pricesFor(model, inputTokensOf(usage));
  let picos =
    usage.uncachedInput * pico(prices.uncachedInput) +
    usage.cacheRead * pico(prices.cacheRead) +
    usage.cacheWrite * pico(prices.cacheWrite) +
    usage.output * pico(prices.output) +
    usage.reasoning * pico(prices.reasoning);
  for (const [tool, calls] of Object.entries(usage.toolCalls)) {
    const fee = Object.hasOwn(entry.toolFees, tool) ? entry.toolFees[tool] : undefined;
    if (fee === undefined) throw new Error(`No fee for tool ${tool} on model ${model} in the catalogue`);
    picos += calls * fee * PICO_PER_MICRO;
  }
  return Math.ceil(picos / PICO_PER_MICRO);
}

/**
 * The most a request can cost, as a usage record: every input token in the dearest input kind
 * (an Anthropic cache write costs more than uncached input) and every output token in the dearest
 * output kind, at the prices of the tier `inputTokens` falls in. For any real usage with at most
 * `inputTokens` in and `outputTokens` out (and no tool calls), `usageCostMicros` of this is an
 * upper bound: the reservation, and the charge when it is unknown what the provider billed.
 */
export function worstCaseUsage(model: string, inputTokens: number, outputTokens: number): TokenUsage {
  const prices = pricesFor(model, inputTokens);
  const input = (["uncachedInput", "cacheWrite", "cacheRead"] as const).reduce((dearest, kind) =>
    prices[kind] > prices[dearest] ? kind : dearest,
  );
  const output = prices.reasoning > prices.output ? "reasoning" : "output";
  return tokenUsage({ [input]: inputTokens, [output]: outputTokens });
}

/** An embedding call's cost in integer micro-dollars, rounded up like `usageCostMicros`. */
export function embeddingCostMicros(tokens: number, model: string = EMBEDDING_MODEL): number {
  const price = Object.hasOwn(EMBEDDING_PRICES, model) ? EMBEDDING_PRICES[model] : undefined;
  if (price === undefined) throw new Error(`No price for embedding model ${model} in the catalogue`);
  return Math.ceil((tokens * pico(price)) / PICO_PER_MICRO);
}
