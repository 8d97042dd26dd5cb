import OpenAI from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startFakeOpenAI } from "../fakes/openai-server";
import { chatTokens } from "../fakes/openai-tokens";

// The Responses API of the fake OpenAI, driven by the real openai SDK: what the product's
// OpenAI adapter will be measured against.

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
const client = new OpenAI({ apiKey: "test-key", baseURL: fake.url, maxRetries: 0 });
afterAll(() => fake.close());

let labels = 0;
const tag = () => `responses-${++labels}`;
const post = (body: unknown, headers: Record<string, string> = { authorization: "Bearer k" }) =>
  fetch(`${fake.url}/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("the fake Responses API answers as the API does", () => {
  it("a plain answer: output items, usage in the API's fields, store:false keeps nothing", async () => {
    const label = tag();
    const response = await client.responses.create({
      model: "gpt-4.1-nano",
      instructions: "Be brief.",
      input: `Hello there [[tag:${label}]]`,
      store: false,
      max_output_tokens: 500,
    });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe(`Echo: Hello there [[tag:${label}]]`);
    expect(response.output).toEqual([
      expect.objectContaining({ type: "message", role: "assistant", content: [expect.objectContaining({ type: "output_text" })] }),
    ]);
    expect(response.usage).toEqual({
      input_tokens: expect.any(Number),
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: chatTokens(response.output_text),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: response.usage!.input_tokens + response.usage!.output_tokens,
    });
    const stats = fake.stats(label);
    expect(stats.responses).toBe(1);
    expect(stats.lastResponse?.body.store).toBe(false);
    expect(stats.billed.promptTokens).toBe(response.usage!.input_tokens);
    // Not stored: neither retrievable nor usable as previous_response_id.
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.responses.create({ model: "gpt-4.1-nano", input: "again", previous_response_id: response.id }),
    ).rejects.toMatchObject({ status: 400, code: "previous_response_not_found" });
  });

  it("input messages as text or as input_text parts (the document's overlapping unions accepted, as the API does)", async () => {
    const response = await client.responses.create({
      model: "gpt-4.1-nano",
      input: [
        { role: "user", content: [{ type: "input_text", text: "one" }] },
        { type: "message", role: "assistant", content: "two" },
        { role: "user", content: "three" },
      ],
      store: false,
    });
    expect(response.output_text).toBe("Echo: three");
    const wrongPart = await post({ model: "gpt-4.1-nano", input: [{ role: "user", content: [{ type: "input_txt", text: "hi" }] }] });
    expect(wrongPart.status).toBe(400);
    expect(((await wrongPart.json()) as { error: { param: string } }).error.param).toBe("input[0].content[0].type");
  });

  it("a stored response is retrievable and continues a conversation, billed with its history", async () => {
    const first = await client.responses.create({ model: "gpt-4.1-nano", input: "one" });
    expect((await client.responses.retrieve(first.id)).id).toBe(first.id);
    const second = await client.responses.create({ model: "gpt-4.1-nano", input: "two", previous_response_id: first.id });
    const alone = await client.responses.create({ model: "gpt-4.1-nano", input: "two", store: false });
    expect(second.usage!.input_tokens).toBeGreaterThan(alone.usage!.input_tokens);
  });

  it("streams the API's event sequence and reports usage in the last event only", async () => {
    const label = tag();
    const stream = await client.responses.create({
      model: "gpt-4.1-nano",
      input: `Count [[words:5]] [[tag:${label}]]`,
      store: false,
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let usage: OpenAI.Responses.ResponseUsage | null | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.created") expect(event.response.usage).toBeNull();
      if (event.type === "response.completed") usage = event.response.usage;
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(new Set(types)).toEqual(
      new Set([
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
      ]),
    );
    expect(text).toBe("Echo: word1 word2 word3 word4 ");
    expect(usage?.output_tokens).toBe(chatTokens(text));
    expect(fake.stats(label).billed.completionTokens).toBe(chatTokens(text));
  });

  it("the SDK's stream helper accumulates the same answer", async () => {
    const stream = client.responses.stream({ model: "gpt-4.1-nano", input: "Hi [[words:4]]", store: false });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Echo: word1 word2 word3 ");
  });

  it("structured output with a json_schema text format, parsed by the SDK", async () => {
    const Summary = z.object({ title: z.string(), bullets: z.array(z.string()), sentiment: z.enum(["positive", "negative", "neutral"]) });
    const parsed = await client.responses.parse({
      model: "gpt-4.1-nano",
      input: "I love this great product",
      text: { format: zodTextFormat(Summary, "summary") },
      store: false,
    });
    expect(parsed.output_parsed?.sentiment).toBe("positive");
    // Streamed, the JSON arrives in pieces and still parses.
    const streamed = await client.responses.stream({
      model: "gpt-4.1-nano",
      input: "I love this great product",
      text: { format: zodTextFormat(Summary, "summary") },
      store: false,
    });
    expect((await streamed.finalResponse()).output_parsed).toEqual(parsed.output_parsed);
  });

  it("max_output_tokens cuts the answer: incomplete, reason max_output_tokens, streamed or not", async () => {
    const cut = await client.responses.create({ model: "gpt-4.1-nano", input: "x [[fault:length]]", max_output_tokens: 16 });
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(cut.usage!.output_tokens).toBe(16);
    const stream = await client.responses.create({ model: "gpt-4.1-nano", input: "x [[words:100]]", max_output_tokens: 16, stream: true });
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of stream) last = event;
    expect(last?.type).toBe("response.incomplete");
    if (last?.type === "response.incomplete") expect(last.response.usage!.output_tokens).toBe(16);
  });

  it("a reasoning model reports reasoning tokens inside output tokens, and they count against the limit", async () => {
    const label = tag();
    const response = await client.responses.create({
      model: "gpt-5-mini",
      input: `Think [[tag:${label}]]`,
      reasoning: { effort: "low" },
      store: false,
    });
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(response.usage!.output_tokens_details.reasoning_tokens).toBe(64);
    expect(response.usage!.output_tokens).toBe(64 + chatTokens(response.output_text));
    expect(fake.stats(label).billed.reasoningTokens).toBe(64);
    // Reasoning that takes the whole budget leaves no answer at all.
    const starved = await client.responses.create({
      model: "gpt-5-mini",
      input: "Think",
      reasoning: { effort: "high" },
      max_output_tokens: 100,
    });
    expect(starved.status).toBe("incomplete");
    expect(starved.output_text).toBe("");
    expect(starved.usage!.output_tokens).toBe(100);
  });

  it("a long prompt sent again reads its leading messages from the cache, in 128-token steps past 1,024", async () => {
    const history = [
      { role: "user" as const, content: `Background: ${"the quick brown fox jumps over the lazy dog ".repeat(150)}` },
      { role: "assistant" as const, content: "Noted." },
    ];
    const first = await client.responses.create({
      model: "gpt-4.1-nano",
      input: [...history, { role: "user", content: "first" }],
      store: false,
    });
    expect(first.usage!.input_tokens_details.cached_tokens).toBe(0);
    const second = await client.responses.create({
      model: "gpt-4.1-nano",
      input: [...history, { role: "user", content: "second" }],
      store: false,
    });
    const cached = second.usage!.input_tokens_details.cached_tokens;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect((cached - 1024) % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(second.usage!.input_tokens);
  });
});

describe("the fake Responses API refuses what the API refuses", () => {
  it("no key: 401", async () => {
    expect((await post({ model: "gpt-4.1-nano", input: "hi" }, {})).status).toBe(401);
  });

  it("an unknown model: 404 model_not_found", async () => {
    await expect(client.responses.create({ model: "gpt-4.1-nanoo", input: "hi" })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("a field the API does not define, a wrong type, max_output_tokens under 16: 400", async () => {
    const unknown = await post({ model: "gpt-4.1-nano", input: "hi", max_completion_tokens: 5 });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe(
      "Unrecognized request argument supplied: max_completion_tokens",
    );
    expect((await post({ model: "gpt-4.1-nano", input: 5 })).status).toBe(400);
    const small = await post({ model: "gpt-4.1-nano", input: "hi", max_output_tokens: 15 });
    expect(small.status).toBe(400);
    expect(((await small.json()) as { error: { param: string } }).error.param).toBe("max_output_tokens");
  });

  it("reasoning settings on a model that does not reason: 400", async () => {
    await expect(client.responses.create({ model: "gpt-4.1-nano", input: "hi", reasoning: { effort: "low" } })).rejects.toMatchObject({
      status: 400,
      code: "unsupported_parameter",
    });
  });

  it("fault markers: 429 with and without retry-after, 500", async () => {
    const limited = await post({ model: "gpt-4.1-nano", input: "hi [[fault:429]]" });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    const bare = await post({ model: "gpt-4.1-nano", input: "hi [[fault:429-bare]]" });
    expect([bare.status, bare.headers.get("retry-after")]).toEqual([429, null]);
    expect((await post({ model: "gpt-4.1-nano", input: "hi [[fault:500]]" })).status).toBe(500);
  });

  it("a cut stream bills what was generated before the cut", async () => {
    const label = tag();
    const stream = await client.responses.create({ model: "gpt-4.1-nano", input: `x [[fault:cut]] [[tag:${label}]]`, stream: true });
    let text = "";
    await expect(
      (async () => {
        for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
      })(),
    ).rejects.toThrow();
    expect(text).toBe("Echo: word1 word2 ");
    expect(fake.stats(label).billed.completionTokens).toBe(chatTokens(text));
  });
});
