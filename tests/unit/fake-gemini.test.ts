import { ApiError, GoogleGenAI } from "@google/genai";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeGemini } from "../fakes/gemini-server";
import { chatTokens } from "../fakes/openai-tokens";

// The fake Gemini, driven by the real @google/genai SDK (httpOptions.baseUrl points it at the
// fake; apiVersion v1beta, the version whose published request schema the fake checks: SDK 3.x
// defaults to v1): what the product's Gemini adapter will be measured against.

const fake = await startFakeGemini({ wordDelayMs: 1 });
const ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: fake.url, apiVersion: "v1beta" } });
afterAll(() => fake.close());

const MODEL = "gemini-2.5-flash";
let labels = 0;
const tag = () => `gemini-${++labels}`;
const post = (path: string, body: unknown, headers: Record<string, string> = { "x-goog-api-key": "k" }) =>
  fetch(`${fake.url}/v1beta/models/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: number; message: string; status: string; details?: unknown[] } }).error;
const valid = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

describe("the fake Gemini answers as the API does", () => {
  it("a plain answer: candidates, usageMetadata in the API's fields, thoughts apart from candidates", async () => {
    const label = tag();
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: `Hello [[think:100]] [[tag:${label}]]`,
      config: { systemInstruction: "Be brief.", maxOutputTokens: 500 },
    });
    expect(response.text).toBe(`Echo: Hello [[think:100]] [[tag:${label}]]`);
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    const usage = response.usageMetadata!;
    expect(usage.candidatesTokenCount).toBe(chatTokens(response.text!));
    expect(usage.thoughtsTokenCount).toBe(100);
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount! + usage.candidatesTokenCount! + 100);
    expect(usage.cachedContentTokenCount).toBeUndefined();
    const stats = fake.stats(label);
    expect(stats.calls).toBe(1);
    expect(stats.last?.model).toBe(MODEL);
    expect(stats.billed).toEqual({
      inputTokens: usage.promptTokenCount,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: usage.candidatesTokenCount! + 100,
      reasoningTokens: 100,
    });
  });

  it("thinkingConfig: budget 0 turns thinking off, includeThoughts returns them as a thought part", async () => {
    const off = await ai.models.generateContent({ model: MODEL, contents: "hi", config: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(off.usageMetadata?.thoughtsTokenCount).toBeUndefined();
    const shown = await ai.models.generateContent({
      model: MODEL,
      contents: "hi [[think:300]]",
      config: { thinkingConfig: { thinkingBudget: 200, includeThoughts: true } },
    });
    expect(shown.usageMetadata?.thoughtsTokenCount).toBe(200); // the budget bounds it
    expect(shown.candidates?.[0]?.content?.parts?.[0]?.thought).toBe(true);
    expect(shown.text).toBe("Echo: hi [[think:300]]");
  });

  it("streams with alt=sse; the last event has the finish reason and the final counts", async () => {
    const label = tag();
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: `Go [[words:5]] [[tag:${label}]]` });
    let text = "";
    let events = 0;
    let last: Awaited<ReturnType<typeof ai.models.generateContent>> | undefined;
    for await (const chunk of stream) {
      events++;
      text += chunk.text ?? "";
      last = chunk;
    }
    expect(text).toBe("Echo: word1 word2 word3 word4 ");
    expect(events).toBe(6);
    expect(last?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(chatTokens(text));
    expect(fake.stats(label).billed.outputTokens).toBe(chatTokens(text) + 256);
  });

  it("maxOutputTokens bounds thoughts and answer together: finishReason MAX_TOKENS", async () => {
    const cut = await ai.models.generateContent({
      model: MODEL,
      contents: "x [[fault:length]] [[think:50]]",
      config: { maxOutputTokens: 80 },
    });
    expect(cut.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
    expect(cut.usageMetadata!.candidatesTokenCount! + cut.usageMetadata!.thoughtsTokenCount!).toBe(80);
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: "x [[words:80]] [[think:10]]",
      config: { maxOutputTokens: 20 },
    });
    let last: { candidates?: Array<{ finishReason?: string }>; usageMetadata?: { candidatesTokenCount?: number } } | undefined;
    for await (const chunk of stream) last = chunk;
    expect(last?.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(10);
  });

  it("implicit caching: a long prefix sent again is reported as cachedContentTokenCount, part of the prompt count", async () => {
    const history = [
      { role: "user", parts: [{ text: `Background: ${"the quick brown fox jumps over the lazy dog ".repeat(150)}` }] },
      { role: "model", parts: [{ text: "Noted." }] },
    ];
    const first = await ai.models.generateContent({ model: MODEL, contents: [...history, { role: "user", parts: [{ text: "one" }] }] });
    expect(first.usageMetadata?.cachedContentTokenCount).toBeUndefined();
    const second = await ai.models.generateContent({ model: MODEL, contents: [...history, { role: "user", parts: [{ text: "two" }] }] });
    expect(second.usageMetadata?.cachedContentTokenCount).toBe(first.usageMetadata!.promptTokenCount! - 2); // all but the new content
  });

  it("structured output with responseMimeType application/json", async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "I love this great product",
      config: {
        responseMimeType: "application/json",
        responseSchema: { type: "OBJECT", properties: { title: { type: "STRING" } } } as never,
      },
    });
    expect(JSON.parse(response.text!)).toMatchObject({ sentiment: "positive" });
  });
});

describe("the fake Gemini refuses what the API refuses", () => {
  it("no key: 403 PERMISSION_DENIED; the key as ?key= is accepted", async () => {
    const refused = await post(`${MODEL}:generateContent`, valid, {});
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).status).toBe("PERMISSION_DENIED");
    expect((await post(`${MODEL}:generateContent?key=k`, valid, {})).status).toBe(200);
  });

  it("an unknown model: 404 NOT_FOUND", async () => {
    const error = await ai.models.generateContent({ model: "gemini-9-ultra", contents: "hi" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
  });

  it("a field the API does not define, a wrong type, no contents: 400 INVALID_ARGUMENT", async () => {
    const unknown = await errorOf(await post(`${MODEL}:generateContent`, { ...valid, generationConfig: { maxTokens: 5 } }));
    expect(unknown).toEqual({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: `Invalid JSON payload received. Unknown name "maxTokens" at 'generation_config': Cannot find field.`,
    });
    const wrongType = await errorOf(await post(`${MODEL}:generateContent`, { ...valid, generationConfig: { maxOutputTokens: "many" } }));
    expect([wrongType.code, wrongType.message]).toEqual([400, expect.stringContaining("'generation_config.max_output_tokens'")]);
    expect((await post(`${MODEL}:generateContent`, {})).status).toBe(400);
  });

  it("thinking budgets outside the model's range, budget 0 on Pro, thinkingConfig on a model that does not think: 400", async () => {
    const think = (model: string, thinkingBudget: number) =>
      ai.models
        .generateContent({ model, contents: "hi", config: { thinkingConfig: { thinkingBudget } } })
        .catch((caught: unknown) => caught);
    for (const [model, budget] of [
      ["gemini-2.5-pro", 0],
      ["gemini-2.5-pro", 64],
      ["gemini-2.5-flash", 30_000],
      ["gemini-2.5-flash-lite", 100],
      ["gemini-2.0-flash", 1024],
    ] as const) {
      const error = await think(model, budget);
      expect(error, `${model} ${budget}`).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(400);
    }
  });

  it("fault markers: 429 with and without RetryInfo, 500, 503, a cut stream billed as far as it went", async () => {
    const ask = (marker: string) =>
      post(`${MODEL}:generateContent`, { contents: [{ role: "user", parts: [{ text: `hi [[fault:${marker}]]` }] }] });
    const limited = await errorOf(await ask("429"));
    expect([limited.code, limited.status, limited.details]).toEqual([
      429,
      "RESOURCE_EXHAUSTED",
      [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }],
    ]);
    expect((await errorOf(await ask("429-bare"))).details).toBeUndefined();
    expect((await ask("500")).status).toBe(500);
    expect((await ask("overloaded")).status).toBe(503);
    const label = tag();
    let text = "";
    await expect(
      (async () => {
        const stream = await ai.models.generateContentStream({ model: MODEL, contents: `x [[fault:cut]] [[think:0]] [[tag:${label}]]` });
        for await (const chunk of stream) text += chunk.text ?? "";
      })(),
    ).rejects.toThrow();
    expect(text).toBe("Echo: word1 word2 ");
    expect(fake.stats(label).billed.outputTokens).toBe(chatTokens(text));
  });
});
