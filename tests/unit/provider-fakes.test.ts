import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server";
import { startFakeGemini } from "../fakes/gemini-server";
import { startFakeOpenAI } from "../fakes/openai-server";

// The markers every provider fake shares (provider-fake.ts), run over the three through their
// real SDKs: one table of providers, one set of tests, as the guard tests will be. Each entry
// streams a prompt and yields the answer's text pieces; `stats` reads what the fake counted.

type Provider = {
  name: string;
  stream(prompt: string, signal: AbortSignal): AsyncIterable<string>;
  stats(tag: string): { calls: number; completed: number; aborts: number; outputTokens: number };
  close(): Promise<void>;
};

const openaiFake = await startFakeOpenAI({ wordDelayMs: 1 });
const anthropicFake = await startFakeAnthropic({ wordDelayMs: 1 });
const geminiFake = await startFakeGemini({ wordDelayMs: 1 });
const openai = new OpenAI({ apiKey: "k", baseURL: openaiFake.url, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: "k", baseURL: anthropicFake.url, maxRetries: 0 });
const gemini = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: geminiFake.url, apiVersion: "v1beta" } });

const providers: Provider[] = [
  {
    name: "openai (responses)",
    async *stream(prompt, signal) {
      const events = await openai.responses.create({ model: "gpt-4.1-nano", input: prompt, store: false, stream: true }, { signal });
      for await (const event of events) if (event.type === "response.output_text.delta") yield event.delta;
    },
    stats: (tag) => {
      const stats = openaiFake.stats(tag);
      return { calls: stats.responses, completed: stats.completed, aborts: stats.aborts, outputTokens: stats.billed.completionTokens };
    },
    close: openaiFake.close,
  },
  {
    name: "anthropic",
    async *stream(prompt, signal) {
      const events = await anthropic.messages.create(
        { model: "claude-haiku-4-5", max_tokens: 4000, messages: [{ role: "user", content: prompt }], stream: true },
        { signal },
      );
      for await (const event of events)
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") yield event.delta.text;
    },
    stats: (tag) => {
      const stats = anthropicFake.stats(tag);
      return { calls: stats.calls, completed: stats.completed, aborts: stats.aborts, outputTokens: stats.billed.outputTokens };
    },
    close: anthropicFake.close,
  },
  {
    name: "gemini",
    async *stream(prompt, signal) {
      const events = await gemini.models.generateContentStream({
        model: "gemini-2.5-flash",
        contents: prompt,
        config: { abortSignal: signal, thinkingConfig: { thinkingBudget: 0 } },
      });
      for await (const chunk of events) if (chunk.text) yield chunk.text;
    },
    stats: (tag) => {
      const stats = geminiFake.stats(tag);
      return { calls: stats.calls, completed: stats.completed, aborts: stats.aborts, outputTokens: stats.billed.outputTokens };
    },
    close: geminiFake.close,
  },
];
afterAll(() => Promise.all(providers.map((provider) => provider.close())));

let labels = 0;
const tag = () => `shared-${++labels}`;

/** Reads a stream until it ends, fails, or `stopAfter` pieces were read; returns the text and how it ended. */
async function read(provider: Provider, prompt: string, signal: AbortSignal, stopAfter = Number.POSITIVE_INFINITY) {
  let text = "";
  let pieces = 0;
  try {
    for await (const piece of provider.stream(prompt, signal)) {
      text += piece;
      if (++pieces >= stopAfter) return { text, ended: "stopped" as const };
    }
    return { text, ended: "done" as const };
  } catch {
    return { text, ended: "failed" as const };
  }
}

describe.each(providers)("shared markers, $name", (provider) => {
  it("[[words:N]] streams N words, counted and completed under the tag", async () => {
    const label = tag();
    const result = await read(provider, `hi [[words:6]] [[tag:${label}]]`, AbortSignal.timeout(10_000));
    expect(result).toEqual({ text: "Echo: word1 word2 word3 word4 word5 ", ended: "done" });
    expect(provider.stats(label)).toMatchObject({ calls: 1, completed: 1, aborts: 0 });
  });

  it("hang: accepted, never answered; the client's deadline ends it and the fake sees the abort", async () => {
    const label = tag();
    const result = await read(provider, `hi [[fault:hang]] [[tag:${label}]]`, AbortSignal.timeout(300));
    expect(result).toEqual({ text: "", ended: "failed" });
    await expect.poll(() => provider.stats(label)).toMatchObject({ calls: 1, completed: 0, aborts: 1 });
  });

  it("stall: three pieces, then silence until the client's deadline; the three are billed", async () => {
    const label = tag();
    const result = await read(provider, `hi [[fault:stall]] [[tag:${label}]]`, AbortSignal.timeout(1_000));
    // On abort the openai and anthropic iterators just end, @google/genai's throws: the text tells.
    expect(result.text).toBe("Echo: word1 word2 ");
    await expect.poll(() => provider.stats(label).aborts).toBe(1);
    expect(provider.stats(label)).toMatchObject({ completed: 0, outputTokens: expect.any(Number) });
    expect(provider.stats(label).outputTokens).toBeGreaterThan(0);
  });

  it("slow: a client that leaves mid-answer is billed what was generated, and the fake counts the abort", async () => {
    const label = tag();
    const controller = new AbortController();
    const result = await read(provider, `hi [[fault:slow]] [[tag:${label}]]`, controller.signal, 3);
    controller.abort();
    expect(result.ended).toBe("stopped");
    await expect.poll(() => provider.stats(label).aborts).toBe(1);
    const stats = provider.stats(label);
    expect(stats.completed).toBe(0);
    expect(stats.outputTokens).toBeGreaterThan(0);
  });

  it("cut: the connection drops after three pieces; the client sees an error", async () => {
    const label = tag();
    const result = await read(provider, `hi [[fault:cut]] [[tag:${label}]]`, AbortSignal.timeout(10_000));
    expect(result).toEqual({ text: "Echo: word1 word2 ", ended: "failed" });
    await expect.poll(() => provider.stats(label).aborts).toBe(1);
  });
});
