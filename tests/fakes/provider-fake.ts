// What every fake model provider (openai-server.ts, anthropic-server.ts, gemini-server.ts)
// shares, so the three behave alike where the guard tests look and differ only where the
// providers do: reading a body, answering JSON, the key header, Server-Sent Events, the
// per-tag counters and the fault markers.
//
// Markers, read from the last user message, are the same for every provider, so a guard test
// can be run over all three by changing the client alone:
//   [[tag:NAME]]   counts the call under NAME (and under "*")
//   [[words:N]]    a streamed answer of N words (default 12)
//   [[fault:429]]  rate limited, with the provider's retry hint; [[fault:429-bare]] without one
//   [[fault:500]]  the provider's server error
//   [[fault:hang]] accepted and never answered (the client's timeout or abort ends it)
//   [[fault:cut]]  the connection is destroyed after three pieces of a stream, mid-answer
//   [[fault:stall]] open and silent after three pieces
//   [[fault:slow]] 400 words, 50 ms apart; [[fault:trickle]] words 100 ms apart, without end
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => (data += part));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

/** A header's value when it carries something; what a provider checks before it reads a body. */
export function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** Every call counts under "*" and under each [[tag:…]] in the text. */
export function tagsOf(text: string): string[] {
  return ["*", ...Array.from(text.matchAll(/\[\[tag:([\w-]+)\]\]/g), (match) => match[1]!)];
}

export const faultOf = (text: string) => /\[\[fault:([\w-]+)\]\]/.exec(text)?.[1];

/** A text without its markers, for answers that quote it. */
export const withoutMarkers = (text: string) => text.replace(/\[\[[^\]]*\]\]/g, "").trim();

/** Counters per tag, created on first use. */
export function tally<S>(empty: () => S) {
  const byTag = new Map<string, S>();
  return {
    of(tag: string): S {
      let stats = byTag.get(tag);
      if (!stats) byTag.set(tag, (stats = empty()));
      return stats;
    },
    reset: () => byTag.clear(),
  };
}

/** What the Anthropic and Gemini fakes count per tag, in one shape so guard tests can compare providers. */
export type ProviderStats = {
  calls: number;
  aborts: number;
  completed: number;
  /**
   * What the fake billed, summed over the tag's calls: input not read from or written to a
   * cache, cache reads, cache writes, output (reasoning included) and, of that, reasoning.
   */
  billed: { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; outputTokens: number; reasoningTokens: number };
  /** The last request as sent, and performance.now() in the fake's process when it arrived. */
  last?: { model: string; body: Record<string, unknown>; stream: boolean; receivedAt: number };
};

export const emptyProviderStats = (): ProviderStats => ({
  calls: 0,
  aborts: 0,
  completed: 0,
  billed: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 },
});

/**
 * One call's counters: counts it under its tags, records the request, and returns how to bill
 * it and mark it done (a call never marked done when its connection closes is an abort).
 */
export function recordCall(res: ServerResponse, all: ProviderStats[], last: NonNullable<ProviderStats["last"]>) {
  for (const stats of all) {
    stats.calls++;
    stats.last = last;
  }
  let finished = false;
  res.on("close", () => {
    if (!finished) for (const stats of all) stats.aborts++;
  });
  return {
    done() {
      finished = true;
      for (const stats of all) stats.completed++;
    },
    bill(billed: ProviderStats["billed"]) {
      for (const stats of all) for (const key of Object.keys(billed) as Array<keyof typeof billed>) stats.billed[key] += billed[key];
    },
  };
}

/** GET /__control/stats?tag=NAME and POST /__control/reset, for tests in another process; true when handled. */
export function control(req: IncomingMessage, url: URL, res: ServerResponse, stats: { of(tag: string): unknown; reset(): void }) {
  if (req.method === "GET" && url.pathname === "/__control/stats") {
    json(res, 200, stats.of(url.searchParams.get("tag") ?? "*"));
    return true;
  }
  if (req.method === "POST" && url.pathname === "/__control/reset") {
    stats.reset();
    json(res, 200, { ok: true });
    return true;
  }
  return false;
}

/** Opens an event stream; `send` writes one event (`event:` line only when named, as the provider does). */
export function openEventStream(res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  return {
    send(event: string | null, data: unknown) {
      res.write(`${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`);
    },
  };
}

export type StreamPlan = {
  /** The marker fault of the request, if any. */
  fault: string | undefined;
  /** The text the markers are read from. */
  text: string;
  /** The answer, already cut into pieces; without it, "Echo: word1 word2 …" of [[words:N]] words. */
  pieces?: string[];
  /** Milliseconds between words when no fault slows them. */
  delayMs: number;
  /** Output tokens the answer may still take (max tokens less what thinking used). */
  maxTokens: number;
  tokens: (text: string) => number;
  /** The first `max` tokens of a text. */
  firstTokens: (text: string, max: number) => string;
  /** Writes one piece of answer text. */
  emit: (piece: string, index: number) => void;
  /** Writes the end of the stream: "stop" when the answer ended, "length" when max tokens cut it. */
  finish: (reason: "stop" | "length", generated: string) => void;
  /** Called once with what was generated: at the end, at a cut or stall, or when the client went away. */
  billed: (generated: string) => void;
};

/**
 * Streams the fake answer ("Echo: word1 word2 …") word by word, under the faults and the
 * output limit. What was generated is billed whether or not the client stayed to read it.
 */
export function streamWords(res: ServerResponse, plan: StreamPlan) {
  const { fault } = plan;
  const requested = plan.pieces?.length ?? Number(/\[\[words:(\d+)\]\]/.exec(plan.text)?.[1] ?? (fault === "slow" ? 400 : 12));
  const wordCount = fault === "trickle" ? Number.POSITIVE_INFINITY : requested;
  const delay = fault === "slow" ? 50 : fault === "trickle" ? 100 : plan.delayMs;
  let generated = "";
  let billed = false;
  const billOnce = () => {
    if (billed) return;
    billed = true;
    plan.billed(generated);
  };
  res.on("close", billOnce);
  let sent = 0;
  const end = (reason: "stop" | "length") => {
    plan.finish(reason, generated);
    billOnce();
    res.end();
  };
  const tick = () => {
    if (res.destroyed) return;
    if (fault === "cut" && sent === 3) {
      billOnce();
      res.socket?.destroy(); // the connection drops mid-stream
      return;
    }
    if (fault === "stall" && sent === 3) return billOnce(); // stays open, says nothing more
    if (sent >= wordCount) return end("stop");
    let word = plan.pieces?.[sent] ?? (sent === 0 ? "Echo: " : `word${sent} `);
    const over = plan.tokens(generated + word) > plan.maxTokens;
    if (over) word = plan.firstTokens(generated + word, plan.maxTokens).slice(generated.length);
    if (word) {
      plan.emit(word, sent);
      generated += word;
    }
    sent++;
    if (over || (plan.tokens(generated) >= plan.maxTokens && sent < wordCount)) return end("length");
    setTimeout(tick, delay);
  };
  tick();
}

/** Listens on 127.0.0.1; a handler that throws answers 500 and logs, as a crashed fake should be seen. */
export async function listen(name: string, handler: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>, port = 0) {
  const server = createServer((req, res) => {
    void handler(req, res).catch((error) => {
      console.error(`[${name}]`, error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plain-text answer; with the length fault, far longer than any plan's output cap. */
export function textAnswer(text: string, fault: string | undefined): string {
  return fault === "length" ? `Echo: ${text} ${"and so on ".repeat(2_000)}` : `Echo: ${text}`;
}

/** The structured tool's answer ({title, bullets, sentiment}); badjson breaks its schema, length makes it overflow. */
export function structuredAnswer(text: string, fault: string | undefined): string {
  if (fault === "badjson") return JSON.stringify({ title: 42, bullets: "not a list" });
  // Far longer than any plan's output cap: the answer is cut mid-JSON.
  if (fault === "length")
    return JSON.stringify({ title: "Long", bullets: Array.from({ length: 8 }, (_, i) => `Point ${i} `.repeat(120)), sentiment: "neutral" });
  const words = withoutMarkers(text).split(/\s+/).filter(Boolean);
  return JSON.stringify({
    title: `Summary of ${words.slice(0, 4).join(" ") || "the text"}`,
    bullets: [`It has ${words.length} words.`, `It starts with "${words[0] ?? ""}".`, "It was summarized by the fake model."],
    sentiment: /\b(great|good|love|happy)\b/i.test(text) ? "positive" : /\b(bad|hate|awful|sad)\b/i.test(text) ? "negative" : "neutral",
  });
}

/** A structured answer streamed in pieces of eight characters, as JSON arrives from a model. */
export const piecesOf = (text: string) => text.match(/[\s\S]{1,8}/g) ?? [];
