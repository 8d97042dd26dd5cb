// A fake Anthropic Messages API for tests: POST /v1/messages (streamed and not) and
// /v1/messages/count_tokens, reached through the SDK's baseURL. Never imported by product code.
// Markers and faults are the shared ones (provider-fake.ts), plus [[fault:overloaded]] (529),
// [[fault:length]] (an answer longer than any cap) and [[fault:badjson]]; [[think:N]] sets how
// many thinking tokens a thinking request uses (default: the budget, up to 256).
//
// As strict as the API where accounting depends on it:
// - no key → 401 authentication_error (the key comes as x-api-key, or as Authorization: Bearer,
//   which is how @anthropic-ai/sdk 1.x sends an apiKey); anthropic-version missing or unknown → 400;
//   errors in Anthropic's shape {type: "error", error: {type, message}, request_id}.
// - bodies validated against the SDK's published request types (anthropic-request-schemas.json,
//   its $comment names the version), every object closed: an unknown field is a 400; the model
//   must be one the SDK lists (404 not_found_error otherwise); max_tokens required, an integer
//   from 1 to the model's output limit (64,000 in the fake).
// - thinking {type: "enabled", budget_tokens}: budget >= 1024 and < max_tokens, temperature
//   only 1; thinking tokens count in max_tokens and in output_tokens, before the text.
// - prompt caching (docs.claude.com, "Prompt caching"): at most 4 cache_control breakpoints
//   (the top-level cache_control adds one on the last block); the prefix up to a breakpoint
//   (tools, then system, then messages) is cached once it reaches the model's minimum (1,024
//   tokens; 2,048 for Haiku models), for 5 minutes or 1 hour (ttl). A prefix seen before is
//   read (cache_read_input_tokens), a new one written (cache_creation_input_tokens, split by
//   ttl in cache_creation); input_tokens is only what comes after the last cache hit or write.
// - streaming in the API's SSE events: message_start (with the input usage), ping,
//   content_block_start / content_block_delta (thinking_delta, signature_delta, text_delta) /
//   content_block_stop, message_delta (stop_reason, usage with output_tokens), message_stop.
// Token counts: Anthropic publishes no tokenizer, so the fake counts with cl100k_base
// (js-tiktoken) plus its own framing: 3 tokens per message, 3 for a system prompt, 4 per
// request. A product must bound these without knowing them, as it must for the real API.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Ajv, type ErrorObject } from "ajv";
import spec from "./anthropic-request-schemas.json" with { type: "json" };
import { cl100kTokens, firstCl100kTokens } from "./openai-tokens";
import {
  control,
  emptyProviderStats,
  faultOf,
  headerValue,
  json,
  listen,
  openEventStream,
  piecesOf,
  type ProviderStats,
  readBody,
  recordCall,
  streamWords,
  structuredAnswer,
  tagsOf,
  tally,
  textAnswer,
} from "./provider-fake";

type Block = { type: string; text?: string; thinking?: string; cache_control?: { type: "ephemeral"; ttl?: "5m" | "1h" } | null } & Record<
  string,
  unknown
>;
type MessagesBody = {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: string | Block[] }>;
  system?: string | Block[];
  tools?: Array<Record<string, unknown>>;
  stream?: boolean;
  temperature?: number;
  cache_control?: { type: "ephemeral"; ttl?: "5m" | "1h" } | null;
  thinking?: { type: "enabled"; budget_tokens: number } | { type: "disabled" } | { type: "adaptive" } | { type: string };
  output_config?: { format?: { type: "json_schema"; schema: unknown } | null };
};

const MAX_OUTPUT_TOKENS = 64_000;
/** The API versions: the documented 2023 ones and 2026-10-21, which @anthropic-ai/sdk 1.17 sends. */
const VERSIONS = new Set(["2023-01-01", "2023-06-01", "2026-10-21"]);
const definitions = spec.definitions as Record<string, { anyOf?: Array<{ enum?: string[] }> }>;
/** The model ids the SDK lists (its Model type: the named ids beside "any string"). */
const MODELS = new Set((definitions.Model!.anyOf ?? []).flatMap((option) => option.enum ?? []));
const minimumCacheable = (model: string) => (model.includes("haiku") ? 2048 : 1024);

const ajv = new Ajv({ strict: true, allErrors: true });
ajv.addSchema(spec, "anthropic");
const validators = {
  "/v1/messages": ajv.getSchema("anthropic#/definitions/CreateMessage")!,
  "/v1/messages/count_tokens": ajv.getSchema("anthropic#/definitions/CountTokens")!,
};

const errorBody = (type: string, message: string) => ({ type: "error", error: { type, message }, request_id: "req_fake" });
const fail = (res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}) =>
  json(res, status, errorBody(type, message), { "request-id": "req_fake", ...headers });

/** The API's (pydantic's) wording for the most telling schema error: "messages.0.content: Field required". */
function describe(errors: ErrorObject[]): string {
  const depth = (error: ErrorObject) => error.instancePath.split("/").length * 10 + (error.keyword === "required" ? 5 : 0);
  const worst = errors.reduce((best, error) => (depth(error) > depth(best) ? error : best));
  const at = (path: string) => path.split("/").slice(1).join(".");
  if (worst.keyword === "required") {
    const field = (worst.params as { missingProperty: string }).missingProperty;
    return `${[at(worst.instancePath), field].filter(Boolean).join(".")}: Field required`;
  }
  if (worst.keyword === "additionalProperties") {
    const field = (worst.params as { additionalProperty: string }).additionalProperty;
    return `${[at(worst.instancePath), field].filter(Boolean).join(".")}: Extra inputs are not permitted`;
  }
  return `${at(worst.instancePath) || "body"}: Input ${worst.message ?? "is invalid"}`;
}

/** A block's text as the prompt carries it. */
function blockText(block: Block): string {
  if (block.type === "text") return block.text ?? "";
  if (block.type === "thinking") return block.thinking ?? "";
  if (block.type === "redacted_thinking") return String(block.data ?? "");
  if (block.type === "tool_use") return JSON.stringify(block.input ?? {});
  if (block.type === "tool_result")
    return typeof block.content === "string" ? block.content : ((block.content as Block[] | undefined) ?? []).map(blockText).join("");
  throw new Error(`The fake Anthropic does not bill content blocks of type ${block.type}`);
}

type Segment = { tokens: number; key: string; breakpoint: "5m" | "1h" | null };

/** The prompt in the API's cache order (tools, system, messages), one segment per block, with its framing. */
function segmentsOf(body: MessagesBody): Segment[] {
  const segments: Segment[] = [{ tokens: 4, key: body.model, breakpoint: null }];
  // The key names the block's place (tools, system, a role) so equal text in another place is another prefix.
  const add = (place: string, text: string, extra: number, cache: Block["cache_control"]) =>
    segments.push({ tokens: cl100kTokens(text) + extra, key: `${place}:${text}`, breakpoint: cache ? (cache.ttl ?? "5m") : null });
  for (const tool of body.tools ?? [])
    add("tool", JSON.stringify({ ...tool, cache_control: undefined }), 0, tool.cache_control as Block["cache_control"]);
  if (typeof body.system === "string") add("system", body.system, 3, null);
  else body.system?.forEach((block, i) => add("system", blockText(block), i === 0 ? 3 : 0, block.cache_control));
  for (const message of body.messages) {
    const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    blocks.forEach((block, i) => add(message.role, blockText(block), i === 0 ? 3 : 0, block.cache_control));
  }
  if (body.cache_control && segments.length > 1) segments.at(-1)!.breakpoint = body.cache_control.ttl ?? "5m";
  return segments;
}

export type FakeAnthropic = { url: string; port: number; stats(tag?: string): ProviderStats; reset(): void; close(): Promise<void> };

export async function startFakeAnthropic(options: { port?: number; wordDelayMs?: number } = {}): Promise<FakeAnthropic> {
  const stats = tally(emptyProviderStats);
  const wordDelayMs = options.wordDelayMs ?? 5;
  /** Cached prefixes: hash → expiry (ms since epoch). */
  const cache = new Map<string, number>();
  let ids = 0;

  async function route(req: IncomingMessage, res: ServerResponse) {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? "/", "http://fake");
    if (control(req, url, res, stats)) return;
    const text = await readBody(req);
    if (!headerValue(req, "x-api-key") && !/^Bearer \S+/.test(req.headers.authorization ?? ""))
      return fail(res, 401, "authentication_error", "x-api-key header is required");
    const version = headerValue(req, "anthropic-version");
    if (!version) return fail(res, 400, "invalid_request_error", "anthropic-version: header is required");
    if (!VERSIONS.has(version)) return fail(res, 400, "invalid_request_error", `anthropic-version: invalid version: ${version}`);
    const validate = req.method === "POST" ? validators[url.pathname as keyof typeof validators] : undefined;
    if (!validate) return fail(res, 404, "not_found_error", "Not Found");
    let body: MessagesBody;
    try {
      body = JSON.parse(text) as MessagesBody;
    } catch {
      return fail(res, 400, "invalid_request_error", "There was an error parsing the body of your request.");
    }
    if (!validate(body)) return fail(res, 400, "invalid_request_error", describe(validate.errors ?? []));
    if (!MODELS.has(body.model)) return fail(res, 404, "not_found_error", `model: ${body.model}`);
    const refused = rules(body, url.pathname === "/v1/messages");
    if (refused) return fail(res, 400, "invalid_request_error", refused);
    if (url.pathname === "/v1/messages/count_tokens") {
      return json(res, 200, { input_tokens: segmentsOf(body).reduce((sum, segment) => sum + segment.tokens, 0) });
    }
    return messages(res, body, receivedAt);
  }

  /** The API's rules beyond the types; null when the request may run. */
  function rules(body: MessagesBody, create: boolean): string | null {
    if (create) {
      if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: Input should be greater than or equal to 1";
      if (body.max_tokens > MAX_OUTPUT_TOKENS)
        return `max_tokens: ${body.max_tokens} > ${MAX_OUTPUT_TOKENS}, which is the maximum allowed number of output tokens for ${body.model}`;
    }
    if (body.messages.length === 0) return "messages: at least one message is required";
    if (body.thinking?.type === "enabled") {
      const budget = (body.thinking as { budget_tokens: number }).budget_tokens;
      if (!Number.isInteger(budget) || budget < 1024)
        return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
      if (create && budget >= body.max_tokens)
        return "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";
      if (body.temperature !== undefined && body.temperature !== 1) return "`temperature` may only be set to 1 when thinking is enabled.";
    }
    const breakpoints = segmentsOf(body).filter((segment) => segment.breakpoint).length;
    if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
    return null;
  }

  /** Input usage: what the cache read, what it wrote (by ttl), and the rest. */
  function inputUsage(body: MessagesBody) {
    const segments = segmentsOf(body);
    const now = Date.now();
    let read = 0;
    let written5m = 0;
    let written1h = 0;
    let tokens = 0;
    let covered = 0; // tokens up to the last breakpoint read or written
    const hash = createHash("sha256");
    for (const segment of segments) {
      hash.update(`${segment.key}\u0000`);
      tokens += segment.tokens;
      if (!segment.breakpoint || tokens < minimumCacheable(body.model)) continue;
      const key = hash.copy().digest("hex");
      const ttl = segment.breakpoint === "1h" ? 3_600_000 : 300_000;
      if ((cache.get(key) ?? 0) > now) {
        read = tokens;
        written5m = written1h = 0; // a later hit covers what earlier breakpoints wrote
      } else if (segment.breakpoint === "1h") written1h += tokens - covered;
      else written5m += tokens - covered;
      covered = tokens;
      cache.set(key, Math.max(cache.get(key) ?? 0, now + ttl));
    }
    return {
      input_tokens: tokens - covered,
      cache_creation_input_tokens: written5m + written1h,
      cache_read_input_tokens: read,
      cache_creation: { ephemeral_5m_input_tokens: written5m, ephemeral_1h_input_tokens: written1h },
    };
  }

  function messages(res: ServerResponse, body: MessagesBody, receivedAt: number) {
    const lastUser = body.messages.findLast((message) => message.role === "user");
    const last = typeof lastUser?.content === "string" ? lastUser.content : (lastUser?.content ?? []).map(blockText).join("");
    const call = recordCall(res, tagsOf(last).map(stats.of), {
      model: body.model,
      body: structuredClone(body) as Record<string, unknown>,
      stream: body.stream === true,
      receivedAt,
    });
    const fault = faultOf(last);
    if (fault === "429" || fault === "429-bare") {
      call.done();
      return fail(
        res,
        429,
        "rate_limit_error",
        `This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
        fault === "429" ? { "retry-after": "7" } : {},
      );
    }
    if (fault === "500") return (call.done(), fail(res, 500, "api_error", "Internal server error"));
    if (fault === "overloaded") return (call.done(), fail(res, 529, "overloaded_error", "Overloaded"));
    if (fault === "hang") return;

    const input = inputUsage(body);
    const thinking = body.thinking?.type === "enabled" || body.thinking?.type === "adaptive";
    const budget = body.thinking?.type === "enabled" ? (body.thinking as { budget_tokens: number }).budget_tokens : body.max_tokens - 1;
    const thinkingTokens = thinking ? Math.min(Number(/\[\[think:(\d+)\]\]/.exec(last)?.[1] ?? 256), budget, body.max_tokens) : 0;
    const thinkingText = firstCl100kTokens(
      "Let me think about this step by step. ".repeat(Math.ceil(thinkingTokens / 7) + 1),
      thinkingTokens,
    );
    const textBudget = body.max_tokens - thinkingTokens;
    const structured = body.output_config?.format?.type === "json_schema";
    const answer = structured ? structuredAnswer(last, fault) : textAnswer(last, fault);
    const id = `msg_fake${++ids}`;
    const usage = (outputText: string) => {
      const outputTokens = thinkingTokens + cl100kTokens(outputText);
      return {
        ...input,
        output_tokens: outputTokens,
        output_tokens_details: thinking ? { thinking_tokens: thinkingTokens } : null,
        server_tool_use: null,
        service_tier: "standard",
      };
    };
    const bill = (outputText: string) =>
      call.bill({
        inputTokens: input.input_tokens,
        cacheReadTokens: input.cache_read_input_tokens,
        cacheWriteTokens: input.cache_creation_input_tokens,
        outputTokens: thinkingTokens + cl100kTokens(outputText),
        reasoningTokens: thinkingTokens,
      });
    const thinkingBlock = { type: "thinking", thinking: thinkingText, signature: `sig_fake${ids}` };
    const message = (content: unknown[], stopReason: string | null, outputText: string) => ({
      id,
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: usage(outputText),
    });

    if (!body.stream) {
      let text = answer;
      let stopReason = "end_turn";
      if (cl100kTokens(text) > textBudget) [text, stopReason] = [firstCl100kTokens(text, Math.max(textBudget, 0)), "max_tokens"];
      bill(text);
      call.done();
      return json(res, 200, message([...(thinking ? [thinkingBlock] : []), ...(text ? [{ type: "text", text }] : [])], stopReason, text));
    }

    const events = openEventStream(res);
    const send = (type: string, data: Record<string, unknown> = {}) => events.send(type, { type, ...data });
    send("message_start", { message: { ...message([], null, ""), usage: { ...usage(""), output_tokens: 1 } } });
    send("ping");
    if (thinking) {
      send("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const piece of piecesOf(thinkingText))
        send("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: piece } });
      send("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: thinkingBlock.signature } });
      send("content_block_stop", { index: 0 });
    }
    const index = thinking ? 1 : 0;
    const end = (stopReason: string, text: string) => {
      const { output_tokens, output_tokens_details, server_tool_use, ...inputs } = usage(text);
      send("message_delta", {
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { ...inputs, output_tokens, output_tokens_details, server_tool_use },
      });
      send("message_stop");
      call.done();
    };
    if (textBudget <= 0) {
      bill("");
      end("max_tokens", "");
      return res.end();
    }
    send("content_block_start", { index, content_block: { type: "text", text: "" } });
    streamWords(res, {
      fault,
      text: last,
      ...(structured && { pieces: piecesOf(answer) }),
      delayMs: wordDelayMs,
      maxTokens: textBudget,
      tokens: cl100kTokens,
      firstTokens: firstCl100kTokens,
      emit: (piece) => send("content_block_delta", { index, delta: { type: "text_delta", text: piece } }),
      finish: (reason, text) => {
        send("content_block_stop", { index });
        end(reason === "stop" ? "end_turn" : "max_tokens", text);
      },
      billed: bill,
    });
  }

  // The encodings are built when openai-tokens loads; the first count of a long piece runs cold.
  cl100kTokens(`warm up ${"\uE000".repeat(100)}`);
  const { port, close } = await listen("fake-anthropic", route, options.port);
  return { url: `http://127.0.0.1:${port}`, port, stats: (tag = "*") => structuredClone(stats.of(tag)), reset: stats.reset, close };
}
