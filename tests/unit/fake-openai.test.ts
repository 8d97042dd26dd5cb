import fc from "fast-check";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { countPromptTokens } from "@/lib/ai/tokens";
import { startFakeOpenAI } from "../fakes/openai-server";

// The fake OpenAI is what every accounting test measures the product against: it must be as
// strict as the API and count on its own, or "settled <= reserved" could never fail.

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
const client = new OpenAI({ apiKey: "test-key", baseURL: fake.url, maxRetries: 0 });
afterAll(() => fake.close());

let labels = 0;
const tag = () => `fake-${++labels}`;
const post = (path: string, body: unknown) =>
  fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { authorization: "Bearer k", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("the fake OpenAI counts prompt tokens as OpenAI documents", () => {
  it("bills the cookbook's example 124 prompt tokens on gpt-4o, as the API did", async () => {
    const label = tag();
    // "How to count tokens with tiktoken": these messages are 124 prompt tokens on gpt-4o.
    const messages = [
      { role: "system", content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English." },
      { role: "system", name: "example_user", content: "New synergies will help drive top-line growth." },
      { role: "system", name: "example_assistant", content: "Things working well together will increase revenue." },
      {
        role: "system",
        name: "example_user",
        content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
      },
      { role: "system", name: "example_assistant", content: "Let's talk later when we're less busy about how to do better." },
      { role: "user", content: `This late pivot means we don't have time to boil the ocean for the client deliverable.` },
    ] as const;
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages: [...messages], max_completion_tokens: 1 });
    expect(completion.usage?.prompt_tokens).toBe(124);
    // The same again with a tag (its marker's tokens on top), so the counters are checked too.
    const tagged = [...messages.slice(0, -1), { role: "user" as const, content: `${messages[5].content} [[tag:${label}]]` }];
    const second = await client.chat.completions.create({ model: "gpt-4o", messages: tagged, max_completion_tokens: 1 });
    expect(fake.stats(label).billed.promptTokens).toBe(second.usage?.prompt_tokens);
    expect(second.usage?.prompt_tokens).toBeGreaterThan(124);
  });

  it("never bills more prompt tokens than the product reserves for the same request", async () => {
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 60 }),
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.constantFrom("<|endoftext|>", "<|im_start|>user", "1 2 3 4 5 6 7 8 9 0", "\u{e000}\u{e001}\u{e002}", "aGVsbG8=", " \n\t "),
    );
    const message = fc.record({ role: fc.constantFrom("system", "user", "assistant"), content: text });
    const schema = fc.option(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom({ type: "string" }, { type: "number" })),
      {
        nil: undefined,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), schema, async (messages, properties) => {
        const jsonSchema = properties && {
          type: "object",
          properties,
          required: Object.keys(properties),
          additionalProperties: false,
        };
        const completion = await client.chat.completions.create({
          model: "gpt-4.1-nano",
          messages: messages as OpenAI.ChatCompletionMessageParam[],
          max_completion_tokens: 1,
          ...(jsonSchema && {
            response_format: { type: "json_schema", json_schema: { name: "answer", schema: jsonSchema, strict: true } },
          }),
        });
        const reserved = countPromptTokens(messages, jsonSchema ? JSON.stringify(jsonSchema) : "");
        expect(completion.usage!.prompt_tokens).toBeLessThanOrEqual(reserved);
        // Without a schema, both follow OpenAI's documented count: they agree exactly.
        if (!jsonSchema) expect(completion.usage!.prompt_tokens).toBe(reserved);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the fake OpenAI refuses what the API refuses", () => {
  const valid = { model: "gpt-4.1-nano", messages: [{ role: "user", content: "hi" }] };

  it("an unknown model: 404 model_not_found, on every endpoint", async () => {
    for (const [path, body] of [
      ["/chat/completions", { ...valid, model: "gpt-4.1-nanoo" }],
      ["/moderations", { model: "gpt-4.1-nano", input: "hi" }],
      ["/embeddings", { model: "text-embedding-4", input: "hi" }],
    ] as const) {
      const response = await post(path, body);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
          type: "invalid_request_error",
          param: null,
          code: "model_not_found",
        },
      });
    }
    await expect(client.chat.completions.create({ ...valid, model: "gpt-nope" } as never)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a field the API does not define, at the top level: 400", async () => {
    for (const [path, body] of [
      ["/chat/completions", { ...valid, max_output_tokens: 5 }],
      ["/moderations", { input: "hi", user: "x" }],
      ["/embeddings", { model: "text-embedding-3-small", input: "hi", max_tokens: 5 }],
    ] as const) {
      const response = await post(path, body);
      expect(response.status).toBe(400);
      const field = Object.keys(body).at(-1);
      expect(await response.json()).toEqual({
        error: { message: `Unrecognized request argument supplied: ${field}`, type: "invalid_request_error", param: null, code: null },
      });
    }
  });

  it("a body that does not fit OpenAI's published schema: 400 naming the parameter", async () => {
    const cases: Array<[string, unknown, string, string]> = [
      ["/chat/completions", { model: "gpt-4.1-nano" }, "messages", "missing_required_parameter"],
      ["/chat/completions", { ...valid, messages: [] }, "messages", "invalid_value"],
      ["/chat/completions", { ...valid, messages: [{ role: "user", content: 42 }] }, "messages[0].content", "invalid_type"],
      ["/chat/completions", { ...valid, messages: [{ role: "boss", content: "hi" }] }, "messages[0].role", "invalid_value"],
      ["/chat/completions", { ...valid, max_completion_tokens: "10" }, "max_completion_tokens", "invalid_type"],
      ["/chat/completions", { ...valid, safety_identifier: "x".repeat(65) }, "safety_identifier", "invalid_value"],
      [
        "/chat/completions",
        { ...valid, response_format: { type: "json_schema" } },
        "response_format.json_schema",
        "missing_required_parameter",
      ],
      ["/moderations", { model: "omni-moderation-latest" }, "input", "missing_required_parameter"],
      ["/embeddings", { model: "text-embedding-3-small", input: [] }, "input", "invalid_value"],
      ["/embeddings", { model: "text-embedding-3-small", input: "hi", encoding_format: "hex" }, "encoding_format", "invalid_value"],
    ];
    for (const [path, body, param, code] of cases) {
      const response = await post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json(), JSON.stringify(body)).toMatchObject({ error: { type: "invalid_request_error", param, code } });
    }
    const broken = await fetch(`${fake.url}/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body: "{" });
    expect(broken.status).toBe(400);
  });

  it("accepts what the product sends (the SDK's streamed, structured, moderation and embedding requests)", async () => {
    const stream = await client.chat.completions.create({
      ...valid,
      messages: [{ role: "user", content: "hi [[words:3]]" }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      safety_identifier: "a".repeat(64),
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    await expect(client.moderations.create({ model: "omni-moderation-latest", input: "hi" })).resolves.toMatchObject({
      results: [{ flagged: false }],
    });
    await expect(
      client.embeddings.create({ model: "text-embedding-3-small", input: "hi", dimensions: 256, encoding_format: "float" }),
    ).resolves.toMatchObject({ usage: { prompt_tokens: 1 } });
  });
});

describe("the fake OpenAI's faults", () => {
  const ask = (fault: string) =>
    client.chat.completions.create({ model: "gpt-4.1-nano", messages: [{ role: "user", content: `hi [[fault:${fault}]]` }] });

  it("429 with retry-after, without it, and insufficient_quota", async () => {
    const errors = await Promise.all(["429", "429-bare", "insufficient_quota"].map((fault) => ask(fault).catch((error: unknown) => error)));
    for (const error of errors) expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const [withRetry, bare, quota] = errors as InstanceType<typeof OpenAI.RateLimitError>[];
    expect(withRetry!.headers?.get("retry-after")).toBe("7");
    expect(withRetry!).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
    expect(bare!.headers?.get("retry-after")).toBeNull();
    expect(bare!).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
    expect(quota!.headers?.get("retry-after")).toBeNull();
    expect(quota!).toMatchObject({ code: "insufficient_quota", type: "insufficient_quota" });
  });

  it("cut: the connection is destroyed mid-stream, after some chunks", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1-nano",
      messages: [{ role: "user", content: "hi [[fault:cut]] [[words:20]]" }],
      stream: true,
    });
    const received: string[] = [];
    const read = async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    };
    await expect(read()).rejects.toThrow();
    expect(received.length).toBe(3);
  });
});

describe("the fake's tokenizer", () => {
  it("merges long pieces exactly as js-tiktoken does (it is only faster)", async () => {
    const { chatTokens, chatTokensByJsTiktoken } = await import("../fakes/openai-tokens");
    const samples = [
      "\uE000\uE123\uF8FF".repeat(40),
      "漢字かなカナ한국어".repeat(20),
      "x".repeat(700),
      "ab".repeat(300),
      "🧪🚀👩‍👩‍👧‍👦🏳️‍🌈".repeat(10),
    ];
    for (const text of samples) expect(chatTokens(text), text.slice(0, 12)).toBe(chatTokensByJsTiktoken(text));
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 30, maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 200 }), (a, b) => {
        expect(chatTokens(a + b)).toBe(chatTokensByJsTiktoken(a + b));
      }),
      { numRuns: 200 },
    );
  });
});
