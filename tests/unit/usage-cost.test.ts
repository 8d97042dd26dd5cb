import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MODEL_CATALOGUE } from "@/lib/ai/catalogue";
import {
  embeddingCostMicros,
  fromAnthropicUsage,
  fromChatCompletionsUsage,
  fromGeminiUsage,
  fromResponsesUsage,
  inputTokensOf,
  outputTokensOf,
  tokenUsage,
  usageCostMicros,
  worstCaseUsage,
} from "@/lib/ai/usage";

// Golden costs: each provider's usage object, as its documentation or a bill shows it, mapped to
// the normalized record and priced under PRICE_VERSION. The expected figures are written out by
// hand (arithmetic in the comments, prices in USD per million tokens = micro-dollars per token),
// never computed by the code under test.

describe("OpenAI Chat Completions usage", () => {
  it("bills cached input at the cached rate, once (the prompt-caching guide's example)", () => {
    // prompt_tokens INCLUDES the 1,920 cached tokens (LiteLLM #6215 charged them twice).
    const usage = fromChatCompletionsUsage({
      prompt_tokens: 2006,
      completion_tokens: 300,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(usage).toEqual({ uncachedInput: 86, cacheRead: 1920, cacheWrite: 0, output: 300, reasoning: 0, toolCalls: {} });
    // gpt-4.1-mini: 86 x 0.40 = 34.4; 1,920 x 0.10 = 192; 300 x 1.60 = 480; total 706.4 -> 707
    expect(usageCostMicros("gpt-4.1-mini", usage)).toBe(707);
  });

  it("bills reasoning tokens at the output rate, once (hand-computed)", () => {
    // completion_tokens INCLUDES the 640 reasoning tokens.
    const usage = fromChatCompletionsUsage({
      prompt_tokens: 1200,
      completion_tokens: 900,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 640 },
    });
    expect(usage).toEqual({ uncachedInput: 176, cacheRead: 1024, cacheWrite: 0, output: 260, reasoning: 640, toolCalls: {} });
    // gpt-5-mini: 176 x 0.25 = 44; 1,024 x 0.025 = 25.6; 260 x 2 = 520; 640 x 2 = 1,280; total 1,869.6 -> 1,870
    expect(usageCostMicros("gpt-5-mini", usage)).toBe(1870);
  });

  it("reads a bare usage object (an OpenAI-compatible server without details) as all uncached", () => {
    const usage = fromChatCompletionsUsage({ prompt_tokens: 30, completion_tokens: 0 });
    expect(usage).toEqual({ uncachedInput: 30, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, toolCalls: {} });
    // gpt-4.1-nano: 30 x 0.10 = 3 exactly (in floating point 30 * 0.1 = 3.0000000000000004, which rounds up to 4)
    expect(usageCostMicros("gpt-4.1-nano", usage)).toBe(3);
  });
});

describe("OpenAI Responses usage", () => {
  it("splits reasoning out of output_tokens (the reasoning guide's example)", () => {
    const usage = fromResponsesUsage({
      input_tokens: 75,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 1186,
      output_tokens_details: { reasoning_tokens: 1024 },
    });
    expect(usage).toEqual({ uncachedInput: 75, cacheRead: 0, cacheWrite: 0, output: 162, reasoning: 1024, toolCalls: {} });
    // gpt-5-mini: 75 x 0.25 = 18.75; 162 x 2 = 324; 1,024 x 2 = 2,048; total 2,390.75 -> 2,391
    expect(usageCostMicros("gpt-5-mini", usage)).toBe(2391);
  });

  it("adds the web search fee per call (usage reported by the Responses API with one web_search_call)", () => {
    const gpt41 = fromResponsesUsage(
      { input_tokens: 347, input_tokens_details: { cached_tokens: 0 }, output_tokens: 540, output_tokens_details: { reasoning_tokens: 0 } },
      { web_search: 1 },
    );
    // gpt-4.1-mini: 347 x 0.40 = 138.8; 540 x 1.60 = 864; 1 call x $0.025 = 25,000; total 26,002.8 -> 26,003 ($0.026003)
    expect(usageCostMicros("gpt-4.1-mini", gpt41)).toBe(26_003);

    const gpt5 = fromResponsesUsage(
      {
        input_tokens: 13102,
        input_tokens_details: { cached_tokens: 8448 },
        output_tokens: 1060,
        output_tokens_details: { reasoning_tokens: 256 },
      },
      { web_search: 1 },
    );
    expect(gpt5).toEqual({
      uncachedInput: 4654,
      cacheRead: 8448,
      cacheWrite: 0,
      output: 804,
      reasoning: 256,
      toolCalls: { web_search: 1 },
    });
    // gpt-5-mini: 4,654 x 0.25 = 1,163.5; 8,448 x 0.025 = 211.2; 804 x 2 = 1,608; 256 x 2 = 512;
    // 1 call x $0.01 = 10,000; total 13,494.7 -> 13,495
    expect(usageCostMicros("gpt-5-mini", gpt5)).toBe(13_495);
  });
});

describe("Anthropic Messages usage", () => {
  it("bills a cache write once, at 1.25x (matches Anthropic's bill in LiteLLM #9812)", () => {
    // input_tokens EXCLUDES cache reads and writes: the 12,304 written tokens are not also input.
    const usage = fromAnthropicUsage({
      input_tokens: 3,
      cache_creation_input_tokens: 12304,
      cache_read_input_tokens: 0,
      output_tokens: 550,
    });
    expect(usage).toEqual({ uncachedInput: 3, cacheRead: 0, cacheWrite: 12304, output: 550, reasoning: 0, toolCalls: {} });
    // claude-sonnet-4-5 (Sonnet 3.7's prices): 3 x 3 = 9; 12,304 x 3.75 = 46,140; 550 x 15 = 8,250;
    // total 54,399 = $0.054399 (the console billed $0.04614 cache write + $0.00825 output + $0.000009 input)
    expect(usageCostMicros("claude-sonnet-4-5", usage)).toBe(54_399);
  });

  it("bills cache reads at 0.1x on top of input (the prompt-caching guide's book-in-the-system-prompt case)", () => {
    const usage = fromAnthropicUsage({
      input_tokens: 21,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 188086,
      output_tokens: 393,
    });
    expect(inputTokensOf(usage)).toBe(188_107);
    // claude-sonnet-4-5: 21 x 3 = 63; 188,086 x 0.30 = 56,425.8; 393 x 15 = 5,895; total 62,383.8 -> 62,384
    expect(usageCostMicros("claude-sonnet-4-5", usage)).toBe(62_384);
  });

  it("bills extended thinking inside output_tokens, once (hand-computed)", () => {
    // With thinking on, output_tokens already counts the thinking; nothing is added to it.
    const usage = fromAnthropicUsage({ input_tokens: 45, output_tokens: 1650, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    expect(outputTokensOf(usage)).toBe(1650);
    // claude-haiku-4-5: 45 x 1 = 45; 1,650 x 5 = 8,250; total 8,295
    expect(usageCostMicros("claude-haiku-4-5", usage)).toBe(8295);
  });

  it("adds the web search fee per search (server_tool_use, the web search tool guide's response)", () => {
    const usage = fromAnthropicUsage({
      input_tokens: 6039,
      output_tokens: 931,
      server_tool_use: { web_search_requests: 1, web_fetch_requests: 2 },
    });
    expect(usage.toolCalls).toEqual({ web_search: 1 });
    // claude-haiku-4-5: 6,039 x 1 = 6,039; 931 x 5 = 4,655; 1 search x $0.01 = 10,000; total 20,694
    expect(usageCostMicros("claude-haiku-4-5", usage)).toBe(20_694);
  });
});

describe("Gemini usage", () => {
  it("adds thinking tokens, reported apart from the candidates (gemini-2.5-flash, any-llm #1291's live response)", () => {
    const usage = fromGeminiUsage({ promptTokenCount: 20, candidatesTokenCount: 151, thoughtsTokenCount: 382 });
    expect(usage).toEqual({ uncachedInput: 20, cacheRead: 0, cacheWrite: 0, output: 151, reasoning: 382, toolCalls: {} });
    // gemini-2.5-flash: 20 x 0.30 = 6; 151 x 2.50 = 377.5; 382 x 2.50 = 955; total 1,338.5 -> 1,339
    expect(usageCostMicros("gemini-2.5-flash", usage)).toBe(1339);
  });

  it("bills cached content once, out of promptTokenCount (hand-computed)", () => {
    const usage = fromGeminiUsage({
      promptTokenCount: 10_000,
      cachedContentTokenCount: 8192,
      candidatesTokenCount: 500,
      thoughtsTokenCount: 1200,
    });
    expect(usage).toEqual({ uncachedInput: 1808, cacheRead: 8192, cacheWrite: 0, output: 500, reasoning: 1200, toolCalls: {} });
    // gemini-2.5-pro: 1,808 x 1.25 = 2,260; 8,192 x 0.125 = 1,024; 500 x 10 = 5,000; 1,200 x 10 = 12,000; total 20,284
    expect(usageCostMicros("gemini-2.5-pro", usage)).toBe(20_284);
  });

  it("prices a prompt over 200K tokens at the long-prompt rates (the usage in LiteLLM #14849)", () => {
    const usage = fromGeminiUsage({ promptTokenCount: 262_960, cachedContentTokenCount: 257_955, candidatesTokenCount: 1744 });
    expect(usage).toMatchObject({ uncachedInput: 5005, cacheRead: 257_955, output: 1744 });
    // gemini-2.5-pro above 200K: 5,005 x 2.50 = 12,512.5; 257,955 x 0.25 = 64,488.75; 1,744 x 15 = 26,160;
    // total 103,161.25 -> 103,162 (LiteLLM charged the cached tokens at the full rate too: $0.7642)
    expect(usageCostMicros("gemini-2.5-pro", usage)).toBe(103_162);
  });

  it("bills the tool-use prompt as input and a grounded prompt per call (hand-computed)", () => {
    const usage = fromGeminiUsage({ promptTokenCount: 12, candidatesTokenCount: 300, toolUsePromptTokenCount: 1500 }, { web_search: 1 });
    expect(usage).toEqual({ uncachedInput: 1512, cacheRead: 0, cacheWrite: 0, output: 300, reasoning: 0, toolCalls: { web_search: 1 } });
    // gemini-2.5-flash: 1,512 x 0.30 = 453.6; 300 x 2.50 = 750; 1 grounded prompt x $0.035 = 35,000; total 36,203.6 -> 36,204
    expect(usageCostMicros("gemini-2.5-flash", usage)).toBe(36_204);
  });
});

describe("cost arithmetic", () => {
  it("rounds up once, at the end, to whole micro-dollars", () => {
    // gpt-4.1-nano: 1 x 0.10 = 0.1 -> 1; 1M x 0.10 + 1M x 0.40 = 500,000
    expect(usageCostMicros("gpt-4.1-nano", tokenUsage({ uncachedInput: 1 }))).toBe(1);
    expect(usageCostMicros("gpt-4.1-nano", tokenUsage({ uncachedInput: 1_000_000, output: 1_000_000 }))).toBe(500_000);
    // Ten tokens of 0.1 each in separate kinds: 1 exactly, not ten roundings up.
    expect(usageCostMicros("gpt-4.1-nano", tokenUsage({ uncachedInput: 5, cacheWrite: 5 }))).toBe(1);
    expect(usageCostMicros("gpt-4.1-nano", tokenUsage({}))).toBe(0);
  });

  it("refuses a model or a tool without a price", () => {
    expect(() => usageCostMicros("unknown-model", tokenUsage({ uncachedInput: 1 }))).toThrow(/No price/);
    expect(() => usageCostMicros("gpt-4.1-nano", tokenUsage({ toolCalls: { code_interpreter: 1 } }))).toThrow(/No fee/);
    expect(() => usageCostMicros("gpt-4.1-nano", tokenUsage({ toolCalls: { toString: 1 } }))).toThrow(/No fee/);
  });

  it("prices embeddings (text-embedding-3-small: 8,192 x 0.02 = 163.84 -> 164)", () => {
    expect(embeddingCostMicros(8192)).toBe(164);
    expect(embeddingCostMicros(50)).toBe(1);
    expect(() => embeddingCostMicros(1, "unknown-embedding")).toThrow();
  });

  it("never trusts a malformed upstream count: negative or not a number is 0, a part above its total is capped", () => {
    expect(
      fromChatCompletionsUsage({ prompt_tokens: 100, completion_tokens: -5, prompt_tokens_details: { cached_tokens: 400 } }),
    ).toMatchObject({ uncachedInput: 0, cacheRead: 100, output: 0, reasoning: 0 });
    expect(fromGeminiUsage({ promptTokenCount: Number.NaN, candidatesTokenCount: 2.5 })).toMatchObject({ uncachedInput: 0, output: 3 });
    expect(fromAnthropicUsage({})).toEqual(tokenUsage({}));
  });
});

describe("the worst case (what the reservation holds)", () => {
  it("puts input in the dearest input kind and picks the tier by the input bound", () => {
    // Anthropic: a cache write (1.25x) costs more than uncached input.
    expect(worstCaseUsage("claude-haiku-4-5", 1000, 100)).toEqual(tokenUsage({ cacheWrite: 1000, output: 100 }));
    // claude-haiku-4-5: 1,000 x 1.25 = 1,250; 100 x 5 = 500; total 1,750
    expect(usageCostMicros("claude-haiku-4-5", worstCaseUsage("claude-haiku-4-5", 1000, 100))).toBe(1750);
    expect(worstCaseUsage("gpt-4.1-nano", 10, 20)).toEqual(tokenUsage({ uncachedInput: 10, output: 20 }));
    // gemini-2.5-pro, 250,000 in, 1,000 out: above 200K, so 250,000 x 2.50 = 625,000; 1,000 x 15 = 15,000; total 640,000
    expect(usageCostMicros("gemini-2.5-pro", worstCaseUsage("gemini-2.5-pro", 250_000, 1000))).toBe(640_000);
  });

  it("bounds every usage with at most that many tokens in and out, for every model", () => {
    const models = Object.keys(MODEL_CATALOGUE);
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 0, max: 70_000 }),
        fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
        (model, inputBound, outputBound, weights) => {
          // Any split of at most the bound into the kinds a provider reports.
          const [a, b, c, d, e] = weights.map((weight) => weight / (weights.reduce((sum, w) => sum + w, 0) || 1));
          const usage = tokenUsage({
            uncachedInput: Math.floor(inputBound * a!),
            cacheRead: Math.floor(inputBound * b!),
            cacheWrite: Math.floor(inputBound * c!),
            output: Math.floor(outputBound * (d! / (d! + e! || 1))),
            reasoning: Math.floor(outputBound * (e! / (d! + e! || 1))),
          });
          expect(inputTokensOf(usage)).toBeLessThanOrEqual(inputBound);
          expect(outputTokensOf(usage)).toBeLessThanOrEqual(outputBound);
          expect(usageCostMicros(model, usage)).toBeLessThanOrEqual(usageCostMicros(model, worstCaseUsage(model, inputBound, outputBound)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
