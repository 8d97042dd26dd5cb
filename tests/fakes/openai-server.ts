// A fake OpenAI for tests and the benchmark: a real HTTP server (next start is another
// process, so nothing in-process would reach it) that speaks /v1/chat/completions, streamed
// and not, /v1/responses (openai-responses.ts), /v1/moderations and /v1/embeddings. Never
// imported by product code; the app reaches it through OPENAI_BASE_URL. Body reading, SSE,
// tags and the word stream are shared with the other providers' fakes (provider-fake.ts).
//
// Behaviour is chosen by markers in the last user message, so parallel tests never share
// state: [[tag:NAME]] counts calls, aborts and billed tokens under NAME;
// [[fault:429|429-bare|insufficient_quota|500|hang|cut|stall|slow|trickle|badjson|refusal|length|filtered|overbill]]
// injects a fault (429: rate limited with a retry-after header, 429-bare: without one,
// insufficient_quota: the 429 of an account out of credit; cut: the connection is destroyed
// after three chunks of a stream, mid-answer; stall: it stays open and silent after three;
// filtered: a whole answer withheld by the content filter, content null, as the API does;
// overbill: a non-streamed answer reports 10,000 prompt tokens more than it was sent, a provider
// billing past any reservation);
// [[embed-fault:500|429|hang]] injects one into embeddings (hang: billed, never answered);
// [[words:N]] sets the streamed reply's length; [[flag]] makes moderation flag the text;
// [[cached:N]] reports N of the prompt's tokens (at most all of them) as read from the prompt
// cache, inside prompt_tokens as the API does (usage always carries the API's detail objects).
// GET /__control/stats?tag=NAME reads the counters.
//
// As strict as the real API where accounting depends on it: no Authorization header → 401;
// a body that is not JSON, or does not fit OpenAI's published request schema, or carries a
// field the API does not define → 400; a model the spec does not list → 404 (see
// openai-requests.ts); tokens counted independently of the product (openai-tokens.ts: another
// o200k_base implementation and the overhead OpenAI documents); the usage chunk only when
// `stream_options.include_usage` is asked; output stops at `max_completion_tokens` with
// finish_reason "length"; billed tokens are recorded per tag (what was generated, also when the
// client went away). /v1/embeddings also refuses an empty input, an input over 8192 tokens and
// `dimensions` on a model without them, counts tokens with cl100k_base (those models'
// encoding) and answers deterministic unit vectors (the demo embedder's algorithm, written out
// again here).
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerFault, checkRequest, type Endpoint } from "./openai-requests";
import { responsesApi, type ResponsesBody } from "./openai-responses";
import { chatPromptTokens, chatTokens, embeddingTokens, firstChatTokens } from "./openai-tokens";
import { json, listen, readBody, streamWords, structuredAnswer, tagsOf, textAnswer, tally } from "./provider-fake";

export type FakeStats = {
  chat: number;
  /** Calls of /v1/responses. */
  responses: number;
  moderations: number;
  embeddings: number;
  aborts: number;
  completed: number;
  /** What the fake billed, summed over the tag's calls (prompt and completion tokens). */
  /** cachedTokens (input read from the prompt cache) and reasoningTokens are parts of the prompt and completion tokens, as the API reports them. */
  billed: { promptTokens: number; completionTokens: number; embeddingTokens: number; cachedTokens: number; reasoningTokens: number };
  last?: {
    model: string;
    maxCompletionTokens: number | null;
    safetyIdentifier: string | null;
    messages: unknown[];
    stream: boolean;
    includeUsage: boolean;
    /** performance.now() in the fake's process when the call arrived (a test in the same process compares it with its own clock). */
    receivedAt: number;
  };
  /** The last /v1/responses request, as sent. */
  lastResponse?: { body: Record<string, unknown>; receivedAt: number };
};

type Message = { role: string; content: string | Array<{ type: string; text?: string }>; name?: string };
type ChatBody = {
  model: string;
  messages: Message[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_completion_tokens?: number;
  safety_identifier?: string;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
};

const emptyStats = (): FakeStats => ({
  chat: 0,
  responses: 0,
  moderations: 0,
  embeddings: 0,
  aborts: 0,
  completed: 0,
  billed: { promptTokens: 0, completionTokens: 0, embeddingTokens: 0, cachedTokens: 0, reasoningTokens: 0 },
});

const tokensOf = chatTokens;
const firstTokens = firstChatTokens;

/** A message's text, whether sent as a string or as text parts. */
const textOf = (content: Message["content"]) => (typeof content === "string" ? content : content.map((part) => part.text ?? "").join(""));

const ENDPOINTS = new Set<string>(["/v1/chat/completions", "/v1/moderations", "/v1/embeddings", "/v1/responses"]);

export type FakeOpenAI = { url: string; port: number; stats(tag?: string): FakeStats; reset(): void; close(): Promise<void> };

export async function startFakeOpenAI(options: { port?: number; wordDelayMs?: number } = {}): Promise<FakeOpenAI> {
  const stats = tally(emptyStats);
  const statsFor = stats.of;
  const wordDelayMs = options.wordDelayMs ?? 5;
  const responses = responsesApi({ statsFor, wordDelayMs });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/__control/stats") {
      return json(res, 200, statsFor(url.searchParams.get("tag") ?? "*"));
    }
    if (req.method === "POST" && url.pathname === "/__control/reset") {
      stats.reset();
      return json(res, 200, { ok: true });
    }
    const text = await readBody(req);
    if (!/^Bearer \S+/.test(req.headers.authorization ?? "")) {
      return json(res, 401, { error: { message: "You didn't provide an API key.", type: "invalid_request_error", code: null } });
    }
    const stored = /^\/v1\/responses\/([\w-]+)$/.exec(url.pathname);
    if (req.method === "GET" && stored) return responses.retrieve(res, stored[1]!);
    if (req.method !== "POST" || !ENDPOINTS.has(url.pathname)) {
      return json(res, 404, {
        error: { message: `Invalid URL (${req.method} ${url.pathname})`, type: "invalid_request_error", param: null, code: null },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(res, 400, {
        error: {
          message:
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      });
    }
    const refused = checkRequest(url.pathname as Endpoint, body);
    if (refused) return json(res, refused.status, { error: refused.error });
    if (url.pathname === "/v1/moderations") {
      const input = JSON.stringify((body as { input: unknown }).input);
      for (const tag of tagsOf(input)) statsFor(tag).moderations++;
      const flagged = input.includes("[[flag]]");
      return json(res, 200, {
        id: "modr-fake",
        model: "omni-moderation-latest",
        results: [{ flagged, categories: {}, category_scores: {} }],
      });
    }
    if (url.pathname === "/v1/chat/completions") return chat(req, res, body as ChatBody, receivedAt);
    if (url.pathname === "/v1/responses") return responses.create(res, body as ResponsesBody, receivedAt);
    return embeddings(res, body as EmbeddingsBody);
  }

  function chat(req: IncomingMessage, res: ServerResponse, body: ChatBody, receivedAt: number) {
    const lastUser = body.messages.findLast((message) => message.role === "user");
    const last = lastUser ? textOf(lastUser.content) : "";
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
        includeUsage: body.stream_options?.include_usage === true,
        receivedAt,
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
    const cachedAsked = Number(/\[\[cached:(\d+)\]\]/.exec(last)?.[1] ?? 0);
    const bill = (promptTokens: number, completionTokens: number) => {
      for (const stats of all) {
        stats.billed.promptTokens += promptTokens;
        stats.billed.completionTokens += completionTokens;
        stats.billed.cachedTokens += Math.min(cachedAsked, promptTokens);
      }
    };
    // The usage object as the API reports it: cached tokens inside prompt_tokens, reasoning inside completion_tokens.
    const usageOf = (promptTokens: number, completionTokens: number) => ({
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: Math.min(cachedAsked, promptTokens), audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    const fault = /\[\[fault:([\w-]+)\]\]/.exec(last)?.[1];
    if (answerFault(res, fault, body.model)) return done();
    if (fault === "hang") return; // never answers; the client's timeout (or abort) ends it

    const promptTokens = chatPromptTokens(body);
    const maxTokens = body.max_completion_tokens ?? Number.POSITIVE_INFINITY;
    if (!body.stream) {
      let content: string | null = body.response_format?.type === "json_schema" ? structuredAnswer(last, fault) : textAnswer(last, fault);
      let refusal: string | null = null;
      let finishReason = "stop";
      if (fault === "refusal") {
        refusal = "I'm sorry, but I can't help with that request.";
        content = null;
      } else if (fault === "filtered") {
        content = null;
        finishReason = "content_filter";
      } else if (tokensOf(content) > maxTokens) {
        content = firstTokens(content, maxTokens);
        finishReason = "length";
      }
      const completionTokens = tokensOf(content ?? refusal ?? "");
      const reportedPromptTokens = fault === "overbill" ? promptTokens + 10_000 : promptTokens;
      bill(reportedPromptTokens, completionTokens);
      done();
      return json(res, 200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal }, finish_reason: finishReason, logprobs: null }],
        usage: usageOf(reportedPromptTokens, completionTokens),
      });
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    streamWords(res, {
      fault,
      text: last,
      delayMs: wordDelayMs,
      maxTokens,
      tokens: tokensOf,
      firstTokens,
      emit: (word, index) => {
        const role = index === 0 ? { role: "assistant" } : {};
        res.write(chunk(fault === "refusal" ? { ...role, refusal: word } : { ...role, content: word }));
      },
      finish: (finishReason, generated) => {
        res.write(chunk({}, finishReason));
        const completionTokens = tokensOf(generated);
        if (body.stream_options?.include_usage) {
          res.write(
            `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: usageOf(promptTokens, completionTokens) })}\n\n`,
          );
        }
        res.write("data: [DONE]\n\n");
        done();
      },
      // What was generated is billed, whether or not the client stayed to read it.
      billed: (generated) => bill(promptTokens, tokensOf(generated)),
    });
  }

  function embeddings(res: ServerResponse, body: EmbeddingsBody) {
    // The schema (checked before) admits what the API would; these are the API's further rules.
    const invalid = (message: string, param: string | null = null) =>
      json(res, 400, { error: { message, type: "invalid_request_error", param, code: null } });
    const maxDimensions = EMBEDDING_MODELS[body.model]!;
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    // Token arrays are valid requests, but nothing here sends them: the fake answers text only.
    if (!Array.isArray(inputs) || !inputs.every((input) => typeof input === "string" && input !== "")) {
      return invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "input");
    }
    let dimensions = maxDimensions;
    if (body.dimensions !== undefined) {
      if (!body.model.startsWith("text-embedding-3")) return invalid("This model does not support specifying dimensions.", "dimensions");
      if (!Number.isInteger(body.dimensions) || body.dimensions < 1 || body.dimensions > maxDimensions)
        return invalid(`Invalid value for 'dimensions' = ${body.dimensions}. Must be between 1 and ${maxDimensions}.`, "dimensions");
      dimensions = body.dimensions;
    }
    const format = body.encoding_format ?? "float";
    if (format !== "float" && format !== "base64")
      return invalid(`Invalid value for 'encoding_format' = ${format}. Supported values are: 'float' and 'base64'.`, "encoding_format");
    const counts = inputs.map(embeddingTokens);
    const longest = Math.max(...counts);
    if (longest > 8192) {
      return invalid(
        `This model's maximum context length is 8192 tokens, however you requested ${longest} tokens (${longest} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
      );
    }
    const fault = /\[\[embed-fault:(\w+)\]\]/.exec(inputs.join(" "))?.[1];
    if (fault === "500") return json(res, 500, { error: { message: "The server had an error", type: "server_error" } });
    if (fault === "429") return json(res, 429, { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } });
    const promptTokens = counts.reduce((sum, count) => sum + count, 0);
    for (const tag of new Set(inputs.flatMap(tagsOf))) {
      const stats = statsFor(tag);
      stats.embeddings++;
      stats.billed.embeddingTokens += promptTokens;
    }
    if (fault === "hang") return; // billed, as the provider would once it ran it; the client's timeout ends it
    return json(res, 200, {
      object: "list",
      model: body.model,
      data: inputs.map((input, index) => {
        const vector = hashedEmbedding(input, dimensions);
        return {
          object: "embedding",
          index,
          embedding: format === "float" ? vector : Buffer.from(new Float32Array(vector).buffer).toString("base64"),
        };
      }),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  }

  // The first counts run cold (the split pattern, a long piece's merge): before the first request, not in it.
  chatTokens(`warm up ${"\uE000".repeat(100)}`);
  embeddingTokens(`warm up ${"\uE000".repeat(100)}`);
  const { port, close } = await listen("fake-openai", route, options.port);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    stats: (tag = "*") => structuredClone(statsFor(tag)),
    reset: stats.reset,
    close,
  };
}

type EmbeddingsBody = { model: string; input: unknown; dimensions?: number; encoding_format?: string };

/** The embedding models and their full (and largest allowed) dimensions. */
const EMBEDDING_MODELS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/** FNV-1a over hashed word, word-pair and character-trigram features, scaled to unit length. */
function hashedEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < feature.length; i++) hash = Math.imul(hash ^ feature.charCodeAt(i), 0x01000193);
    hash >>>= 0;
    vector[hash % dimensions]! += hash & 0x80000000 ? -weight : weight;
  };
  const words =
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu) ?? [];
  words.forEach((word, i) => {
    add(`w:${word}`, 1);
    if (i > 0) add(`p:${words[i - 1]} ${word}`, 1);
    for (let j = 0; j + 3 <= word.length + 2; j++) add(`c:${` ${word} `.slice(j, j + 3)}`, 0.25);
  });
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map((_, i) => (i === 0 ? 1 : 0)) : vector.map((value) => value / norm);
}
