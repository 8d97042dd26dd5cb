// The model catalogue: every model the product can call, what it can do and what it costs. The
// one place for prices (lib/ai/usage.ts turns a request's usage into micro-dollars with them);
// plans (lib/plans.ts) list models by the ids here, and a unit test checks each has a full price.
//
// Prices are list prices in USD per million tokens, which is also micro-dollars per token, and
// each must be a whole number of pico-dollars per token (at most six decimals) so that costs add
// up in integers (lib/ai/usage.ts). Tool fees are whole micro-dollars per call.
//
// Sources, read 2026-12-05 (re-read them and change PRICE_VERSION when any price changes):
//   OpenAI     https://developers.openai.com/api/docs/pricing (text tokens, standard tier; built-in tools)
//   Anthropic  https://platform.claude.com/docs/en/about-claude/pricing (model table; web search tool)
//   Google     https://ai.google.dev/gemini-api/docs/pricing (paid tier, standard; grounding with Google Search)
//
// What is modelled, and why:
// - Uncached input is what the provider bills at its base input rate. Cache read is OpenAI's and
//   Gemini's "cached input" and Anthropic's "cache hits". Cache write is Anthropic's 5-minute
//   write (1.25x base input): the product asks for the default 5-minute TTL only (a chat's next
//   turn comes within minutes, and a 1-hour write costs 2x base input); OpenAI and Gemini charge
//   no write (their caching is implicit), so their write price is their base input price, which
//   keeps every model's `cacheWrite` meaningful and never below what a write could cost.
// - Reasoning is billed at the output rate by all three providers; it stays its own field so a
//   provider that prices it apart can be added without changing the record.
// - Gemini's explicit-cache storage (per token-hour) is not modelled: the product uses implicit
//   caching only, which has no storage charge. Gemini's free daily allowance of grounded prompts
//   is not modelled either: every grounded prompt is priced at the paid rate (an upper bound).
// - Long prompts: Gemini 2.5 Pro bills every token of a request at higher rates when its prompt
//   exceeds 200,000 tokens (`longPrompt`). Claude Sonnet 4.5 does the same above 200,000, but only
//   with the 1M-context beta, which the product does not enable: its context window here is 200K.

/** Changes whenever any price below changes; stored on every audit row priced with it. */
export const PRICE_VERSION = "2026-12-05";

export const PROVIDERS = ["openai", "anthropic", "google", "openai-compatible"] as const;
export type Provider = (typeof PROVIDERS)[number];

/** USD per million tokens (= micro-dollars per token) for each kind of token a provider bills. */
export type TokenPrices = {
  uncachedInput: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
};

export type ModelEntry = {
  id: string;
  provider: Provider;
  displayName: string;
  /** Input and output together, in tokens. */
  contextWindow: number;
  /** The most output tokens one request may ask for, reasoning or thinking included. */
  maxOutputTokens: number;
  capabilities: { vision: boolean; structuredOutput: boolean; tools: boolean; reasoning: boolean };
  prices: TokenPrices;
  /**
   * Prices for every token of a request whose prompt (uncached input + cache read + cache write)
   * exceeds `aboveInputTokens`; each at least the base price (a unit test checks it).
   */
  longPrompt?: { aboveInputTokens: number; prices: TokenPrices };
  /** Micro-dollars per call of a built-in tool, by the tool's name in the usage record. */
  toolFees: Readonly<Record<string, number>>;
};

/** Both providers bill reasoning (thinking) tokens at the output rate. */
const atOutputRate = (prices: Omit<TokenPrices, "reasoning">): TokenPrices => ({ ...prices, reasoning: prices.output });

const MODELS = [
  // OpenAI. GPT-4.1: cached input 0.25x; web search $25 per 1,000 calls (its content tokens free).
  {
    id: "gpt-4.1-nano",
    provider: "openai",
    displayName: "GPT-4.1 nano",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: false },
    prices: atOutputRate({ uncachedInput: 0.1, cacheRead: 0.025, cacheWrite: 0.1, output: 0.4 }),
    toolFees: { web_search: 25_000 },
  },
  {
    id: "gpt-4.1-mini",
    provider: "openai",
    displayName: "GPT-4.1 mini",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: false },
    prices: atOutputRate({ uncachedInput: 0.4, cacheRead: 0.1, cacheWrite: 0.4, output: 1.6 }),
    toolFees: { web_search: 25_000 },
  },
  // A reasoning model: cached input 0.1x; web search $10 per 1,000 calls (content tokens billed as input).
  {
    id: "gpt-5-mini",
    provider: "openai",
    displayName: "GPT-5 mini",
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: true },
    prices: atOutputRate({ uncachedInput: 0.25, cacheRead: 0.025, cacheWrite: 0.25, output: 2 }),
    toolFees: { web_search: 10_000 },
  },
  // Anthropic: cache hits 0.1x, 5-minute writes 1.25x base input; web search $10 per 1,000 searches.
  {
    id: "claude-haiku-4-5",
    provider: "anthropic",
    displayName: "Claude Haiku 4.5",
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: true },
    prices: atOutputRate({ uncachedInput: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 5 }),
    toolFees: { web_search: 10_000 },
  },
  {
    id: "claude-sonnet-4-5",
    provider: "anthropic",
    displayName: "Claude Sonnet 4.5",
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: true },
    prices: atOutputRate({ uncachedInput: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 }),
    toolFees: { web_search: 10_000 },
  },
  // Google: output price includes thinking tokens; grounding with Google Search $35 per 1,000 grounded prompts.
  {
    id: "gemini-2.5-flash",
    provider: "google",
    displayName: "Gemini 2.5 Flash",
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: true },
    // Text, image and video input (audio input is priced higher and not sent by the product).
    prices: atOutputRate({ uncachedInput: 0.3, cacheRead: 0.03, cacheWrite: 0.3, output: 2.5 }),
    toolFees: { web_search: 35_000 },
  },
  {
    id: "gemini-2.5-pro",
    provider: "google",
    displayName: "Gemini 2.5 Pro",
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    capabilities: { vision: true, structuredOutput: true, tools: true, reasoning: true },
    prices: atOutputRate({ uncachedInput: 1.25, cacheRead: 0.125, cacheWrite: 1.25, output: 10 }),
    longPrompt: {
      aboveInputTokens: 200_000,
      prices: atOutputRate({ uncachedInput: 2.5, cacheRead: 0.25, cacheWrite: 2.5, output: 15 }),
    },
    toolFees: { web_search: 35_000 },
  },
] as const satisfies readonly ModelEntry[];

export type ModelId = (typeof MODELS)[number]["id"];

export const MODEL_CATALOGUE: Readonly<Record<string, ModelEntry>> = Object.fromEntries(MODELS.map((model) => [model.id, model]));

/** The model's entry; throws for a model the catalogue does not price (nothing is billed at $0). */
export function catalogueEntry(model: string): ModelEntry {
  const entry = Object.hasOwn(MODEL_CATALOGUE, model) ? MODEL_CATALOGUE[model] : undefined;
  if (!entry) throw new Error(`No price for model ${model} in the catalogue (lib/ai/catalogue.ts)`);
  return entry;
}

// The semantic cache's embedding models (lib/ai/models.ts chooses one): USD per million input tokens.
export const EMBEDDING_PRICES: Readonly<Record<string, number>> = {
  "text-embedding-3-small": 0.02,
};
