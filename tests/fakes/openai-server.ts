// A fake OpenAI for tests and the benchmark: a real HTTP server (next start is another
// process, so nothing in-process would reach it) that speaks /v1/chat/completions, streamed
// and not, and /v1/moderations. Never imported by product code; the app reaches it through
// OPENAI_BASE_URL.
//
// Behaviour is chosen by markers in the last user message, so parallel tests never share
// state: [[tag:NAME]] counts calls and aborts under NAME; [[fault:429|500|hang|cut|slow|badjson]]
// injects a fault; [[flag]] makes moderation flag the text. GET /__control/stats?tag=NAME
// reads the counters.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeStats = {
  chat: number;
  moderations: number;
  aborts: number;
  completed: number;
  last?: { model: string; maxCompletionTokens: number | null; safetyIdentifier: string | null; messages: unknown[]; stream: boolean };
};

type Message = { role: string; content: string };
type ChatBody = {
  model: string;
  messages: Message[];
  stream?: boolean;
  max_completion_tokens?: number;
  safety_identifier?: string;
  response_format?: { type: string };
};

const emptyStats = (): FakeStats => ({ chat: 0, moderations: 0, aborts: 0, completed: 0 });

export type FakeOpenAI = { url: string; port: number; stats(tag?: string): FakeStats; reset(): void; close(): Promise<void> };

export async function startFakeOpenAI(options: { port?: number; wordDelayMs?: number } = {}): Promise<FakeOpenAI> {
  const byTag = new Map<string, FakeStats>();
  const statsFor = (tag: string) => {
    let stats = byTag.get(tag);
    if (!stats) byTag.set(tag, (stats = emptyStats()));
    return stats;
  };
  const wordDelayMs = options.wordDelayMs ?? 5;

  const server: Server = createServer((req, res) => {
    void route(req, res).catch((error) => {
      console.error("[fake-openai]", error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/__control/stats") {
      return json(res, 200, statsFor(url.searchParams.get("tag") ?? "*"));
    }
    if (req.method === "POST" && url.pathname === "/__control/reset") {
      byTag.clear();
      return json(res, 200, { ok: true });
    }
    const body = JSON.parse((await readBody(req)) || "{}");
    if (req.method === "POST" && url.pathname === "/v1/moderations") {
      const input = JSON.stringify(body.input ?? "");
      for (const tag of tagsOf(input)) statsFor(tag).moderations++;
      const flagged = input.includes("[[flag]]");
      return json(res, 200, { id: "modr-fake", model: "omni-moderation-latest", results: [{ flagged, categories: {}, category_scores: {} }] });
    }
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") return chat(req, res, body as ChatBody);
    json(res, 404, { error: { message: "not found" } });
  }

  function chat(req: IncomingMessage, res: ServerResponse, body: ChatBody) {
    const last = body.messages.findLast((message) => message.role === "user")?.content ?? "";
    const tags = tagsOf(last);
    const all = tags.map(statsFor);
    for (const stats of all) {
      stats.chat++;
      stats.last = {
        model: body.model,
        maxCompletionTokens: body.max_completion_tokens ?? null,
        safetyIdentifier: body.safety_identifier ?? null,
        messages: body.messages,
        stream: body.stream === true,
      };
    }
    let finished = false;
    res.on("close", () => {
      if (!finished) for (const stats of all) stats.aborts++;
    });
    const done = () => {
      finished = true;
      for (const stats of all) stats.completed++;
    };
    const fault = /\[\[fault:(\w+)\]\]/.exec(last)?.[1];
    if (fault === "429") {
      done();
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      return res.end(JSON.stringify({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }));
    }
    if (fault === "500") {
      done();
      return json(res, 500, { error: { message: "The server had an error", type: "server_error" } });
    }
    if (fault === "hang") return; // never answers; the client's timeout (or abort) ends it

    const promptTokens = Math.ceil(body.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
    if (!body.stream) {
      const content = body.response_format?.type === "json_schema" ? structuredAnswer(last, fault) : `Echo: ${last}`;
      done();
      return json(res, 200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: promptTokens, completion_tokens: Math.ceil(content.length / 4), total_tokens: promptTokens + Math.ceil(content.length / 4) },
      });
    }

    const wordCount = fault === "slow" ? 400 : 12;
    const delay = fault === "slow" ? 50 : wordDelayMs;
    const words = Array.from({ length: wordCount }, (_, i) => (i === 0 ? "Echo: " : `word${i} `));
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    let sent = 0;
    const tick = () => {
      if (res.destroyed) return;
      if (fault === "cut" && sent === 3) {
        res.socket?.destroy(); // the connection drops mid-stream
        return;
      }
      if (fault === "stall" && sent === 3) return; // stays open, says nothing more
      if (sent < words.length) {
        res.write(chunk(sent === 0 ? { role: "assistant", content: words[sent] } : { content: words[sent] }));
        sent++;
        setTimeout(tick, delay);
        return;
      }
      res.write(chunk({}, "stop"));
      res.write(`data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: sent, total_tokens: promptTokens + sent } })}\n\n`);
      res.write("data: [DONE]\n\n");
      done();
      res.end();
    };
    tick();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    stats: (tag = "*") => ({ ...statsFor(tag) }),
    reset: () => byTag.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every call counts under "*" and under each [[tag:…]] in the text. */
function tagsOf(text: string): string[] {
  return ["*", ...Array.from(text.matchAll(/\[\[tag:([\w-]+)\]\]/g), (match) => match[1]!)];
}

function structuredAnswer(text: string, fault: string | undefined): string {
  if (fault === "badjson") return JSON.stringify({ title: 42, bullets: "not a list" });
  const words = text.replace(/\[\[[^\]]*\]\]/g, "").trim().split(/\s+/).filter(Boolean);
  return JSON.stringify({
    title: `Summary of ${words.slice(0, 4).join(" ") || "the text"}`,
    bullets: [`It has ${words.length} words.`, `It starts with "${words[0] ?? ""}".`, "It was summarized by the fake model."],
    sentiment: /\b(great|good|love|happy)\b/i.test(text) ? "positive" : /\b(bad|hate|awful|sad)\b/i.test(text) ? "negative" : "neutral",
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => (data += part));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}
