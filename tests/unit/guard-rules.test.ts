import { describe, expect, it } from "vitest";
import { modelFor } from "@/lib/ai/models";
import { countPromptTokens, countTextTokens, RESPONSE_FORMAT_OVERHEAD_TOKENS } from "@/lib/ai/tokens";
import { requestTokenKey, REQUEST_TOKEN_TTL_SECONDS, signRequestToken, verifyRequestToken } from "@/lib/guard/request-token-codec";
import { PLANS } from "@/lib/plans";
import { isSameOrigin } from "@/lib/http/same-origin";

describe("one-time request token", () => {
  const key = requestTokenKey("unit-test-secret");
  const now = 1_800_000_000;

  it("verifies for its user until it expires", () => {
    const token = signRequestToken(key, "user-a", now);
    expect(verifyRequestToken(key, "user-a", token, now + 1)).toMatchObject({ expiresAt: now + REQUEST_TOKEN_TTL_SECONDS });
    expect(verifyRequestToken(key, "user-a", token, now + REQUEST_TOKEN_TTL_SECONDS)).toBeNull();
  });

  it("is worthless to another user, with another secret, or when any part is changed", () => {
    const token = signRequestToken(key, "user-a", now);
    const [nonce, expiry, mac] = token.split(".");
    expect(verifyRequestToken(key, "user-b", token, now)).toBeNull();
    expect(verifyRequestToken(requestTokenKey("other-secret"), "user-a", token, now)).toBeNull();
    expect(verifyRequestToken(key, "user-a", `${nonce}.${Number(expiry) + 3600}.${mac}`, now)).toBeNull();
    expect(verifyRequestToken(key, "user-a", `x${nonce}.${expiry}.${mac}`, now)).toBeNull();
    expect(verifyRequestToken(key, "user-a", `${token}.extra`, now)).toBeNull();
    expect(verifyRequestToken(key, "user-a", "", now)).toBeNull();
  });

  it("never repeats a nonce", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => signRequestToken(key, "u", now).split(".")[0]));
    expect(nonces.size).toBe(1000);
  });
});

describe("origin check for the chat route", () => {
  const headers = (origin: string | null, host = "app.example.com") => new Headers({ host, ...(origin !== null && { origin }) });
  it("accepts the app's own origin and requests without one", () => {
    expect(isSameOrigin(headers("https://app.example.com"))).toBe(true);
    expect(isSameOrigin(headers(null))).toBe(true);
  });
  it("refuses foreign, look-alike and null origins", () => {
    expect(isSameOrigin(headers("https://evil.example"))).toBe(false);
    expect(isSameOrigin(headers("https://app.example.com.evil.example"))).toBe(false);
    expect(isSameOrigin(headers("null"))).toBe(false);
  });
});

// Prices and their arithmetic: tests/unit/catalogue.test.ts and usage-cost.test.ts.
describe("models", () => {
  it("chooses the plan's best model", () => {
    expect(modelFor(PLANS.free)).toBe("gpt-4.1-nano");
    expect(modelFor(PLANS.pro)).toBe("gpt-4.1-mini");
  });
});

describe("token counting (o200k_base)", () => {
  // Inputs a bytes/3 estimate under-counts: the tokenizer counts them as the provider bills them.
  const bytesOverThree = (text: string) => Math.ceil(Buffer.byteLength(text) / 3);
  it("counts what bytes/3 under-counts: spaced digits, private-use characters", () => {
    const digits = Array.from({ length: 300 }, (_, i) => i % 10).join(" ");
    expect(countTextTokens(digits)).toBe(599);
    expect(countTextTokens(digits)).toBeGreaterThan(2.5 * bytesOverThree(digits));
    const privateUse = "\uE000".repeat(100);
    expect(countTextTokens(privateUse)).toBe(200);
    expect(countTextTokens(privateUse)).toBeGreaterThan(bytesOverThree(privateUse));
  });
  it("treats special-token text in user input as plain text", () => {
    expect(countTextTokens("a <|endoftext|> b")).toBeGreaterThan(3);
    expect(countTextTokens("")).toBe(0);
  });
  it("adds the chat format's overhead per message and uses a stored count when a message has one", () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hello there" },
    ];
    const content = countTextTokens("Be brief.") + countTextTokens("Hello there");
    expect(countPromptTokens(messages)).toBe(3 + 2 * (3 + 1) + content);
    expect(countPromptTokens([{ role: "user", content: "ignored", tokens: 40 }])).toBe(3 + 3 + 1 + 40);
    // A structured output: its schema plus the JSON around it, a name of up to 64 characters and a message frame.
    expect(countPromptTokens(messages, '{"type":"object"}')).toBe(
      countPromptTokens(messages) + countTextTokens('{"type":"object"}') + RESPONSE_FORMAT_OVERHEAD_TOKENS,
    );
    expect(RESPONSE_FORMAT_OVERHEAD_TOKENS).toBeGreaterThanOrEqual(3 + 1 + 64);
  });
});

describe("demo model (development without OPENAI_API_KEY)", async () => {
  const { demoProvider } = await import("@/lib/ai/demo-provider");
  const { demoReplyFor } = await import("@/lib/ai/demo-replies");
  // The chat feature's demo answer, as lib/chat/feature.ts passes it.
  const request = (signal: AbortSignal, content = "What is this?") => ({
    model: "gpt-4.1-nano",
    messages: [{ role: "user" as const, content }],
    maxOutputTokens: 512,
    safetyIdentifier: "x",
    signal,
    demoAnswer: () => demoReplyFor(content),
  });

  const replyTo = async (content: string) => {
    const events = [];
    for await (const event of demoProvider.streamChat(request(new AbortController().signal, content))) events.push(event);
    return { events, text: events.flatMap((event) => (event.type === "text" ? [event.text] : [])).join("") };
  };

  it("streams a reply word by word that says it is simulated, then its usage", async () => {
    const { events, text } = await replyTo("How does this app guard my calls?");
    expect(text).toContain("demo model");
    expect(events.filter((event) => event.type === "text").length).toBeGreaterThan(50);
    expect(events.at(-1)).toMatchObject({ type: "usage", usage: { output: expect.any(Number), cacheRead: 0, reasoning: 0 } });
  });

  it("shows off what the chat renders: headings, lists, a table and code in several languages", async () => {
    const replies = await Promise.all(
      ["Compare Python, Go and Rust in a table", "Write a TypeScript function", "A SQL query for daily active users"].map(replyTo),
    );
    const all = replies.map((reply) => reply.text).join("\n");
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(3);
    expect(all).toMatch(/^## /m);
    expect(all).toMatch(/^\| --- \|/m);
    expect(all).toMatch(/^1\. /m);
    for (const language of ["python", "go", "rust", "ts", "sql", "bash"]) expect(all).toContain(`\`\`\`${language}\n`);
  });

  it("stops when the request is aborted", async () => {
    const controller = new AbortController();
    let chunks = 0;
    for await (const event of demoProvider.streamChat(request(controller.signal))) {
      if (event.type === "text" && ++chunks === 2) controller.abort();
    }
    expect(chunks).toBe(2);
  });
});
