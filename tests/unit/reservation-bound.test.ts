import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic-server";
import { startFakeGemini } from "../fakes/gemini-server";
import { startFakeOpenAI } from "../fakes/openai-server";

// The reservation's input count is a true upper bound for every provider: each adapter sends a
// mixed corpus (English, code, CJK, emoji, digits) to its strict fake, and the input the fake
// billed never exceeds what the guard reserved (lib/ai/tokens.ts: o200k for OpenAI, the byte
// bound for the others). Prints the over-reservation ratio (reserved / billed) per provider.

const openai = await startFakeOpenAI({ wordDelayMs: 0 });
const anthropic = await startFakeAnthropic({ wordDelayMs: 0 });
const gemini = await startFakeGemini({ wordDelayMs: 0 });
afterAll(() => Promise.all([openai.close(), anthropic.close(), gemini.close()]));

const { createAnthropicProvider } = await import("@/lib/ai/anthropic-provider");
const { createGeminiProvider } = await import("@/lib/ai/gemini-provider");
const { createChatCompletionsProvider } = await import("@/lib/ai/chat-completions-provider");
const { reservedPromptTokens } = await import("@/lib/ai/tokens");
const { inputTokensOf } = await import("@/lib/ai/usage");

const CORPUS = {
  english: "The quarterly report shows revenue grew by twelve percent while support tickets fell. ".repeat(20),
  code: "export function add(a: number, b: number): number {\n  return a + b; // sum\n}\nconst xs = [1, 2, 3].map((x) => x * 2);\n".repeat(
    15,
  ),
  cjk: "今日は良い天気ですね。我们明天去北京开会。한국어 문장도 포함됩니다。".repeat(20),
  emoji: "🎉🚀👍🏽 family: 👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵 ok ✅ ".repeat(20),
  digits: "4 8 15 16 23 42 108 3.14159 2718281828 0xDEADBEEF ".repeat(20),
};

const ADAPTERS = [
  {
    name: "anthropic",
    provider: "anthropic",
    model: "claude-haiku-4-5",
    chat: createAnthropicProvider({ apiKey: "k", baseURL: anthropic.url, timeoutMs: 5000 }),
  },
  {
    name: "gemini",
    provider: "google",
    model: "gemini-2.5-flash",
    chat: createGeminiProvider({ apiKey: "k", baseURL: gemini.url, timeoutMs: 5000 }),
  },
  {
    name: "openai (Chat Completions)",
    provider: "openai",
    model: "gpt-4.1-nano",
    chat: createChatCompletionsProvider({ apiKey: "k", baseURL: openai.url, timeoutMs: 5000 }),
  },
] as const;

describe.each(ADAPTERS)("the reserved input bounds what $name bills", ({ name, provider, model, chat }) => {
  it.each(Object.entries(CORPUS))("%s", async (kind, text) => {
    const messages = [
      { role: "system" as const, content: "You are a careful assistant." },
      { role: "user" as const, content: text },
    ];
    const reserved = reservedPromptTokens(provider, messages);
    const completion = await chat.completeText({
      model,
      messages,
      maxOutputTokens: 4096,
      safetyIdentifier: "u",
      signal: new AbortController().signal,
      demoAnswer: () => "",
    });
    const billed = inputTokensOf(completion.usage!);
    expect(billed).toBeGreaterThan(0);
    expect(reserved).toBeGreaterThanOrEqual(billed);
    console.log(`[over-reservation] ${name} ${kind}: reserved ${reserved} / billed ${billed} = ${(reserved / billed).toFixed(2)}`);
  });
});
