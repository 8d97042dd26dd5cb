import Anthropic from "@anthropic-ai/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server";
import { cl100kTokens } from "../fakes/openai-tokens";

// The fake Anthropic, driven by the real @anthropic-ai/sdk: what the product's Anthropic
// adapter will be measured against.

const fake = await startFakeAnthropic({ wordDelayMs: 1 });
const client = new Anthropic({ apiKey: "test-key", baseURL: fake.url, maxRetries: 0 });
afterAll(() => fake.close());

const MODEL = "claude-sonnet-4-6";
let labels = 0;
const tag = () => `anthropic-${++labels}`;
const post = (body: unknown, headers: Record<string, string> = { "x-api-key": "k", "anthropic-version": "2023-06-01" }) =>
  fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const errorOf = async (response: Response) => (await response.json()) as { type: string; error: { type: string; message: string } };
const valid = { model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "hi" }] };

describe("the fake Anthropic answers as the API does", () => {
  it("a plain message: a text block, usage in the API's fields, recorded per tag", async () => {
    const label = tag();
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 200,
      system: "Be brief.",
      messages: [{ role: "user", content: `Hello [[tag:${label}]]` }],
    });
    expect(message.content).toEqual([{ type: "text", text: `Echo: Hello [[tag:${label}]]` }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({
      input_tokens: expect.any(Number),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: cl100kTokens(`Echo: Hello [[tag:${label}]]`),
    });
    const stats = fake.stats(label);
    expect(stats.calls).toBe(1);
    expect(stats.last?.body.system).toBe("Be brief.");
    expect(stats.billed).toEqual({
      inputTokens: message.usage.input_tokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: message.usage.output_tokens,
      reasoningTokens: 0,
    });
    // count_tokens agrees with what a message bills.
    const counted = await client.messages.countTokens({
      model: MODEL,
      system: "Be brief.",
      messages: [{ role: "user", content: `Hello [[tag:${label}]]` }],
    });
    expect(counted.input_tokens).toBe(message.usage.input_tokens);
  });

  it("streams the API's events; message_delta carries the output tokens", async () => {
    const label = tag();
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 200,
      messages: [{ role: "user", content: `Go [[words:5]] [[tag:${label}]]` }],
    });
    const types: string[] = [];
    let outputTokens = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "message_delta") outputTokens = event.usage.output_tokens;
    }
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      ...Array<string>(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "Echo: word1 word2 word3 word4 " }]);
    expect(outputTokens).toBe(cl100kTokens("Echo: word1 word2 word3 word4 "));
    expect(fake.stats(label).billed.outputTokens).toBe(outputTokens);
  });

  it("extended thinking: a thinking block first, its tokens in output_tokens and in max_tokens", async () => {
    const label = tag();
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 2000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: `Why? [[think:300]] [[tag:${label}]]` }],
    });
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    const text = message.content[1]!.type === "text" ? message.content[1].text : "";
    expect(message.usage.output_tokens).toBe(300 + cl100kTokens(text));
    expect(message.usage.output_tokens_details).toEqual({ thinking_tokens: 300 });
    expect(fake.stats(label).billed.reasoningTokens).toBe(300);
    // Streamed: thinking and signature deltas, then the text; the final message says the same.
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 2000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Why? [[think:300]]" }],
    });
    const deltas = new Set<string>();
    for await (const event of stream) if (event.type === "content_block_delta") deltas.add(event.delta.type);
    expect(deltas).toEqual(new Set(["thinking_delta", "signature_delta", "text_delta"]));
    const streamed = await stream.finalMessage();
    const streamedText = streamed.content[1]?.type === "text" ? streamed.content[1].text : "";
    expect(streamed.usage.output_tokens).toBe(300 + cl100kTokens(streamedText));
    // The thinking budget and the text share max_tokens: a long answer after 1,024 thinking tokens stops at 1,100 in all.
    const cut = await client.messages.create({
      model: MODEL,
      max_tokens: 1100,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Why? [[think:5000]] [[fault:length]]" }],
    });
    expect([cut.stop_reason, cut.usage.output_tokens, cut.usage.output_tokens_details?.thinking_tokens]).toEqual([
      "max_tokens",
      1100,
      1024,
    ]);
  });

  it("max_tokens cuts the answer: stop_reason max_tokens, exactly max_tokens billed", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 20,
      messages: [{ role: "user", content: "x [[fault:length]]" }],
    });
    expect([message.stop_reason, message.usage.output_tokens]).toEqual(["max_tokens", 20]);
    const stream = client.messages.stream({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "x [[words:50]]" }] });
    const final = await stream.finalMessage();
    expect([final.stop_reason, final.usage.output_tokens]).toEqual(["max_tokens", 5]);
  });

  it("prompt caching: a cache_control'd prefix is written the first time and read after, below the minimum never", async () => {
    const label = tag();
    const system: Anthropic.TextBlockParam[] = [
      { type: "text", text: `Policy: ${"be kind and exact in every answer you give ".repeat(150)}`, cache_control: { type: "ephemeral" } },
    ];
    const ask = (content: string) =>
      client.messages.create({ model: MODEL, max_tokens: 50, system, messages: [{ role: "user", content }] });
    const first = await ask(`first [[tag:${label}]]`);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: first.usage.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    });
    const second = await ask(`second [[tag:${label}]]`);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    // The total input is the same; only its split differs.
    const total = (usage: Anthropic.Usage) => usage.input_tokens + usage.cache_read_input_tokens! + usage.cache_creation_input_tokens!;
    expect(total(second.usage)).toBe(total(first.usage) + cl100kTokens("second") - cl100kTokens("first"));
    expect(fake.stats(label).billed).toMatchObject({
      cacheWriteTokens: first.usage.cache_creation_input_tokens,
      cacheReadTokens: second.usage.cache_read_input_tokens,
    });
    // A short prefix is never cached, however marked.
    const short = await client.messages.create({
      model: MODEL,
      max_tokens: 50,
      system: [{ type: "text", text: "Short.", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect([short.usage.cache_creation_input_tokens, short.usage.cache_read_input_tokens]).toEqual([0, 0]);
  });

  it("structured output with output_config.format: the structured JSON", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 500,
      output_config: { format: { type: "json_schema", schema: { type: "object", properties: { title: { type: "string" } } } } },
      messages: [{ role: "user", content: "I love this great product" }],
    });
    const text = message.content[0]?.type === "text" ? message.content[0].text : "";
    expect(JSON.parse(text)).toMatchObject({ sentiment: "positive" });
  });
});

describe("the fake Anthropic refuses what the API refuses", () => {
  it("no x-api-key: 401 authentication_error; no or unknown anthropic-version: 400", async () => {
    const noKey = await post(valid, { "anthropic-version": "2023-06-01" });
    expect(noKey.status).toBe(401);
    expect(await errorOf(noKey)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const noVersion = await post(valid, { "x-api-key": "k" });
    expect(noVersion.status).toBe(400);
    expect((await errorOf(noVersion)).error).toEqual({ type: "invalid_request_error", message: "anthropic-version: header is required" });
    expect((await post(valid, { "x-api-key": "k", "anthropic-version": "2099-01-01" })).status).toBe(400);
    await expect(new Anthropic({ apiKey: "", baseURL: fake.url, maxRetries: 0 }).messages.create(valid as never)).rejects.toThrow();
  });

  it("an unknown model: 404 not_found_error", async () => {
    await expect(client.messages.create({ ...valid, model: "claude-sonnet-9" } as never)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const response = await post({ ...valid, model: "claude-sonnet-9" });
    expect((await errorOf(response)).error).toEqual({ type: "not_found_error", message: "model: claude-sonnet-9" });
  });

  it("max_tokens missing, a field the API does not define, a wrong block: 400 naming the field", async () => {
    const noMax = { model: valid.model, messages: valid.messages };
    expect((await errorOf(await post(noMax))).error.message).toBe("max_tokens: Field required");
    expect((await errorOf(await post({ ...valid, max_completion_tokens: 5 }))).error.message).toBe(
      "max_completion_tokens: Extra inputs are not permitted",
    );
    const badBlock = await post({ ...valid, system: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] });
    expect(badBlock.status).toBe(400);
    expect((await errorOf(badBlock)).error.message).toMatch(/^system\.0\.cache_control/);
    expect((await post({ ...valid, max_tokens: 64_001 })).status).toBe(400);
    expect((await post({ ...valid, max_tokens: 1.5 })).status).toBe(400);
  });

  it("a thinking budget under 1024, or not under max_tokens, or thinking with another temperature: 400", async () => {
    const think = (budget: number, extra: object = {}) =>
      client.messages.create({ ...valid, max_tokens: 4000, thinking: { type: "enabled", budget_tokens: budget }, ...extra } as never);
    await expect(think(1023)).rejects.toMatchObject({ status: 400, message: expect.stringContaining("greater than or equal to 1024") });
    await expect(think(4000)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("`max_tokens` must be greater than `thinking.budget_tokens`"),
    });
    await expect(think(2000, { temperature: 0.5 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("more than four cache breakpoints: 400", async () => {
    const block = { type: "text", text: "x", cache_control: { type: "ephemeral" } };
    const response = await post({ ...valid, system: [block, block, block, block, block] });
    expect((await errorOf(response)).error.message).toBe("A maximum of 4 blocks with cache_control may be provided. Found 5.");
  });

  it("fault markers: 429 with and without retry-after, 500, 529 overloaded, a cut stream billed as far as it went", async () => {
    const ask = (marker: string) => post({ ...valid, messages: [{ role: "user", content: `hi [[fault:${marker}]]` }] });
    const limited = await ask("429");
    expect([limited.status, limited.headers.get("retry-after"), (await errorOf(limited)).error.type]).toEqual([
      429,
      "7",
      "rate_limit_error",
    ]);
    const bare = await ask("429-bare");
    expect([bare.status, bare.headers.get("retry-after")]).toEqual([429, null]);
    expect((await errorOf(await ask("500"))).error.type).toBe("api_error");
    expect((await ask("overloaded")).status).toBe(529);
    const label = tag();
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: `x [[fault:cut]] [[tag:${label}]]` }],
    });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(text).toBe("Echo: word1 word2 ");
    expect(fake.stats(label).billed.outputTokens).toBe(cl100kTokens(text));
  });
});
