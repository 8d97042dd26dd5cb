// A fake Gemini API (Generative Language v1beta) for tests: POST
// /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse, reached through
// @google/genai's httpOptions.baseUrl. Never imported by product code. Markers and faults are
// the shared ones (provider-fake.ts), plus [[fault:overloaded]] (503), [[fault:length]] and
// [[fault:badjson]]; [[think:N]] sets how many thinking tokens a thinking model uses (default
// 256, within the budget).
//
// As strict as the API where accounting depends on it:
// - no key (x-goog-api-key header or ?key=) → 403 PERMISSION_DENIED; errors in Google's shape
//   {error: {code, message, status, details?}}.
// - bodies validated against Google's published GenerateContentRequest (gemini-request-schemas.json,
//   its $comment names the source), every message closed: an unknown field is a 400 INVALID_ARGUMENT
//   worded as Google words it; an unknown model is a 404 NOT_FOUND.
// - thinking (the 2.5 and 3 models; 2.0 models refuse thinkingConfig): thinkingBudget -1 is
//   dynamic, 0 turns thinking off where the model allows it (not on Pro), other values must be
//   in the model's range (Pro 128–32768, Flash 0–24576, Flash-Lite 512–24576). Thoughts count in
//   maxOutputTokens before the answer; includeThoughts returns them as a part with thought: true.
// - maxOutputTokens cuts the answer: finishReason MAX_TOKENS.
// - usageMetadata {promptTokenCount, cachedContentTokenCount, candidatesTokenCount,
//   thoughtsTokenCount, totalTokenCount}; a count is left out when zero, as the API does;
//   candidates exclude thoughts; total = prompt + candidates + thoughts. Implicit caching
//   (ai.google.dev, "Context caching"): a prompt whose leading contents were sent before, of at
//   least 1,024 tokens (Flash) or 4,096 (Pro), reports them as cachedContentTokenCount (a part
//   of promptTokenCount).
// - streaming as the API streams with alt=sse: `data: <GenerateContentResponse>` events, each
//   with usageMetadata, the last with finishReason and the final counts.
// Tokens: counted with o200k_base (js-tiktoken) plus 1 per content, the fake's stand-in for
// Gemini's SentencePiece tokenizer, which this machine cannot download.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import spec from "./gemini-request-schemas.json" with { type: "json" };
import { chatTokens, firstChatTokens } from "./openai-tokens";
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

type Part = { text?: string; thought?: boolean } & Record<string, unknown>;
type Content = { role?: string; parts?: Part[] };
type GenerateBody = {
  contents: Content[];
  systemInstruction?: Content;
  generationConfig?: {
    maxOutputTokens?: number;
    responseMimeType?: string;
    thinkingConfig?: { thinkingBudget?: number; includeThoughts?: boolean };
  };
};

/** The models the fake serves: their thinking budget range (null: no thinking) and implicit-cache minimum. */
const MODELS: Record<string, { thinking: { min: number; max: number; canDisable: boolean } | null; minCache: number }> = {
  "gemini-2.5-pro": { thinking: { min: 128, max: 32768, canDisable: false }, minCache: 4096 },
  "gemini-2.5-flash": { thinking: { min: 1, max: 24576, canDisable: true }, minCache: 1024 },
  "gemini-2.5-flash-lite": { thinking: { min: 512, max: 24576, canDisable: true }, minCache: 1024 },
  "gemini-3-pro-preview": { thinking: { min: 128, max: 32768, canDisable: false }, minCache: 4096 },
  "gemini-3-flash-preview": { thinking: { min: 1, max: 24576, canDisable: true }, minCache: 1024 },
  "gemini-2.0-flash": { thinking: null, minCache: 1024 },
  "gemini-2.0-flash-lite": { thinking: null, minCache: 1024 },
};

const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
ajv.addSchema(spec, "gemini");
const validate = ajv.getSchema("gemini#/$defs/GenerateContentRequest")!;

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};
const fail = (res: ServerResponse, code: number, message: string, details?: unknown[]) =>
  json(res, code, { error: { code, message, status: STATUS[code], ...(details && { details }) } });

/** camelCase → snake_case: Google names fields in errors by their proto names. */
const protoName = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const protoPath = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${protoName(part)}` : protoName(part)), "");

/** Google's wording for the most telling schema error. */
function describe(errors: ErrorObject[]): string {
  const depth = (error: ErrorObject) => error.instancePath.split("/").length * 10 + (error.keyword === "additionalProperties" ? 5 : 0);
  const worst = errors.reduce((best, error) => (depth(error) > depth(best) ? error : best));
  const at = protoPath(worst.instancePath);
  if (worst.keyword === "additionalProperties") {
    const field = (worst.params as { additionalProperty: string }).additionalProperty;
    return `Invalid JSON payload received. Unknown name "${field}"${at ? ` at '${at}'` : ""}: Cannot find field.`;
  }
  if (worst.keyword === "required")
    return `* GenerateContentRequest.${(worst.params as { missingProperty: string }).missingProperty}: contents is not specified`;
  return `Invalid value at '${at}' (${worst.keyword === "type" ? String((worst.params as { type: string }).type).toUpperCase() : worst.keyword}), ${worst.message ?? "invalid"}`;
}

const textOf = (content: Content | undefined) => (content?.parts ?? []).map((part) => (part.thought ? "" : (part.text ?? ""))).join("");
const contentTokens = (content: Content) => 1 + chatTokens(textOf(content));

export type FakeGemini = { url: string; port: number; stats(tag?: string): ProviderStats; reset(): void; close(): Promise<void> };

export async function startFakeGemini(options: { port?: number; wordDelayMs?: number } = {}): Promise<FakeGemini> {
  const stats = tally(emptyProviderStats);
  const wordDelayMs = options.wordDelayMs ?? 5;
  const seenPrefixes = new Set<string>();
  let ids = 0;

  async function route(req: IncomingMessage, res: ServerResponse) {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? "/", "http://fake");
    if (control(req, url, res, stats)) return;
    const text = await readBody(req);
    if (!headerValue(req, "x-goog-api-key") && !url.searchParams.get("key"))
      return fail(
        res,
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    const call = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
    if (req.method !== "POST" || !call) return fail(res, 404, `Method not found: ${req.method} ${url.pathname}`);
    const [, model, method] = call as unknown as [string, string, string];
    const stream = method === "streamGenerateContent";
    // Without alt=sse the API streams one JSON array; nothing here asks for it, so the fake does not serve it.
    if (stream && url.searchParams.get("alt") !== "sse") return fail(res, 400, "The fake Gemini streams with alt=sse only.");
    let body: GenerateBody;
    try {
      body = JSON.parse(text) as GenerateBody;
    } catch {
      return fail(res, 400, `Invalid JSON payload received. Unexpected token.`);
    }
    if (!validate(body)) return fail(res, 400, describe(validate.errors ?? []));
    const spec = MODELS[model];
    if (!spec)
      return fail(
        res,
        404,
        `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    const refused = rules(body, spec);
    if (refused) return fail(res, 400, refused);
    return generate(res, model, body, stream, receivedAt);
  }

  /** The API's rules beyond the schema; null when the request may run. */
  function rules(body: GenerateBody, spec: (typeof MODELS)[string]): string | null {
    const config = body.generationConfig;
    if (body.contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
    if (config?.maxOutputTokens !== undefined && config.maxOutputTokens < 1) return "max_output_tokens must be positive.";
    const budget = config?.thinkingConfig?.thinkingBudget;
    if (config?.thinkingConfig && !spec.thinking) return "Thinking is not supported by this model.";
    if (budget === undefined || budget === -1 || !spec.thinking) return null;
    if (budget === 0) return spec.thinking.canDisable ? null : "Budget 0 is invalid. This model only works in thinking mode.";
    if (budget < spec.thinking.min || budget > spec.thinking.max)
      return `The thinking budget ${budget} is invalid. Please choose a value between ${spec.thinking.min} and ${spec.thinking.max}.`;
    return null;
  }

  function generate(res: ServerResponse, model: string, body: GenerateBody, stream: boolean, receivedAt: number) {
    const spec = MODELS[model]!;
    const last = textOf(body.contents.findLast((content) => (content.role ?? "user") === "user"));
    const call = recordCall(res, tagsOf(last).map(stats.of), {
      model,
      body: structuredClone(body) as Record<string, unknown>,
      stream,
      receivedAt,
    });
    const fault = faultOf(last);
    if (fault === "429" || fault === "429-bare") {
      call.done();
      return fail(
        res,
        429,
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        fault === "429" ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] : undefined,
      );
    }
    if (fault === "500")
      return (
        call.done(),
        fail(
          res,
          500,
          "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
        )
      );
    if (fault === "overloaded") return (call.done(), fail(res, 503, "The model is overloaded. Please try again later."));
    if (fault === "hang") return;

    // Prompt tokens, and what of them the implicit cache holds (leading contents sent before).
    const contents = [...(body.systemInstruction ? [body.systemInstruction] : []), ...body.contents];
    const promptTokens = contents.reduce((sum, content) => sum + contentTokens(content), 0);
    const key = (k: number) =>
      createHash("sha256")
        .update(JSON.stringify([model, contents.slice(0, k)]))
        .digest("hex");
    let cachedTokens = 0;
    for (let k = contents.length - 1; k > 0; k--) {
      if (!seenPrefixes.has(key(k))) continue;
      const prefixTokens = contents.slice(0, k).reduce((sum, content) => sum + contentTokens(content), 0);
      if (prefixTokens >= spec.minCache) cachedTokens = prefixTokens;
      break;
    }
    for (let k = 1; k <= contents.length; k++) seenPrefixes.add(key(k));

    const config = body.generationConfig ?? {};
    const maxTokens = config.maxOutputTokens ?? 65_536;
    const budget = config.thinkingConfig?.thinkingBudget ?? -1;
    const thinks = spec.thinking !== null && budget !== 0;
    const wanted = Number(/\[\[think:(\d+)\]\]/.exec(last)?.[1] ?? 256);
    const thoughtsTokens = thinks ? Math.min(wanted, budget === -1 ? spec.thinking!.max : budget, maxTokens) : 0;
    const thoughtText =
      config.thinkingConfig?.includeThoughts && thoughtsTokens > 0 ? "**Thinking it over**\n\nI considered the question." : "";
    const textBudget = maxTokens - thoughtsTokens;
    const structured = config.responseMimeType === "application/json";
    const answer = structured ? structuredAnswer(last, fault) : textAnswer(last, fault);
    const responseId = `fake-${++ids}`;

    const usage = (text: string, final: boolean) => {
      const candidates = final ? chatTokens(text) : 0;
      return {
        promptTokenCount: promptTokens,
        ...(cachedTokens > 0 && { cachedContentTokenCount: cachedTokens }),
        ...(candidates > 0 && { candidatesTokenCount: candidates }),
        ...(thoughtsTokens > 0 && { thoughtsTokenCount: thoughtsTokens }),
        totalTokenCount: promptTokens + candidates + thoughtsTokens,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
        ...(cachedTokens > 0 && { cacheTokensDetails: [{ modality: "TEXT", tokenCount: cachedTokens }] }),
      };
    };
    const bill = (text: string) =>
      call.bill({
        inputTokens: promptTokens - cachedTokens,
        cacheReadTokens: cachedTokens,
        cacheWriteTokens: 0,
        outputTokens: thoughtsTokens + chatTokens(text),
        reasoningTokens: thoughtsTokens,
      });
    const chunk = (parts: Part[], finishReason: string | null, usageMetadata: unknown) => ({
      candidates: [{ content: { parts, role: "model" }, ...(finishReason && { finishReason }), index: 0 }],
      usageMetadata,
      modelVersion: model,
      responseId,
    });
    const thoughtPart = thoughtText ? [{ text: thoughtText, thought: true }] : [];

    if (!stream) {
      let text = answer;
      let finishReason = "STOP";
      if (textBudget <= 0) [text, finishReason] = ["", "MAX_TOKENS"];
      else if (chatTokens(text) > textBudget) [text, finishReason] = [firstChatTokens(text, textBudget), "MAX_TOKENS"];
      bill(text);
      call.done();
      return json(res, 200, chunk([...thoughtPart, ...(text ? [{ text }] : [])], finishReason, usage(text, true)));
    }

    const events = openEventStream(res);
    if (thoughtPart.length) events.send(null, chunk(thoughtPart, null, usage("", false)));
    if (textBudget <= 0) {
      bill("");
      events.send(null, chunk([], "MAX_TOKENS", usage("", true)));
      call.done();
      return res.end();
    }
    streamWords(res, {
      fault,
      text: last,
      ...(structured && { pieces: piecesOf(answer) }),
      delayMs: wordDelayMs,
      maxTokens: textBudget,
      tokens: chatTokens,
      firstTokens: firstChatTokens,
      emit: (piece) => events.send(null, chunk([{ text: piece }], null, usage("", false))),
      finish: (reason, text) => {
        // The last event closes the answer: an empty text part, the finish reason and the final counts.
        events.send(null, chunk([{ text: "" }], reason === "stop" ? "STOP" : "MAX_TOKENS", usage(text, true)));
        call.done();
      },
      billed: bill,
    });
  }

  chatTokens(`warm up ${"\uE000".repeat(100)}`);
  const { port, close } = await listen("fake-gemini", route, options.port);
  return { url: `http://127.0.0.1:${port}`, port, stats: (tag = "*") => structuredClone(stats.of(tag)), reset: stats.reset, close };
}
