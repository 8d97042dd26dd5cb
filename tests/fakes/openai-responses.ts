// OpenAI's Responses API in the fake OpenAI (openai-server.ts routes POST /v1/responses and
// GET /v1/responses/{id} here, after the key and the CreateResponse schema were checked).
//
// What it does as the API does, where accounting or privacy depend on it:
// - `store` (default true) keeps the response for GET /v1/responses/{id} and for a later
//   `previous_response_id`; with `store: false` neither finds it (404 / 400), and the stats
//   record what the product sent.
// - usage {input_tokens, input_tokens_details {cached_tokens, cache_write_tokens},
//   output_tokens, output_tokens_details {reasoning_tokens}, total_tokens}, the fields the
//   OpenAPI document requires, in the final event only; output_tokens includes reasoning.
// - prompt caching as documented (platform.openai.com/docs/guides/prompt-caching): a prompt of
//   1,024 tokens or more whose leading messages were sent before reads them from the cache, in
//   1,024 + 128·k tokens; the fake reports no cache writes (automatic caching has no write fee).
// - reasoning models (the o-series and gpt-5, not their -chat variants) think before they
//   answer: reasoning.effort none/minimal 0, low 64, medium (default) 256, high 1,024, xhigh
//   2,048, max 4,096 reasoning tokens, counted in max_output_tokens first; `reasoning` on any
//   other model is a 400, as the API answers.
// - max_output_tokens cuts the output: status "incomplete", incomplete_details.reason
//   "max_output_tokens" (no message at all when reasoning took the whole budget).
// - text.format json_schema answers the structured tool's JSON (structuredAnswer).
// Input tokens: the chat formula of openai-tokens.ts over instructions (a developer message),
// the input messages, and a json_schema format; OpenAI documents no formula for this endpoint.
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FakeStats } from "./openai-server";
import { answerFault } from "./openai-requests";
import { chatPromptTokens, chatTokens, firstChatTokens } from "./openai-tokens";
import { faultOf, json, openEventStream, piecesOf, streamWords, structuredAnswer, tagsOf, textAnswer } from "./provider-fake";

export type ResponsesBody = Record<string, unknown> & {
  model: string;
  input?: string | Array<Record<string, unknown>>;
  instructions?: string | null;
  stream?: boolean | null;
  store?: boolean | null;
  max_output_tokens?: number | null;
  previous_response_id?: string | null;
  reasoning?: { effort?: string | null } | null;
  text?: { format?: { type: string; name?: string; schema?: unknown; strict?: boolean | null } };
};
type Message = { role: string; content: string };

const REASONING_TOKENS: Record<string, number> = { none: 0, minimal: 0, low: 64, medium: 256, high: 1024, xhigh: 2048, max: 4096 };
const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model) && !model.includes("-chat");

/** A message's text: a string, or the text of its input_text / output_text parts. */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { type?: string; text?: string }) => {
      if (part.type === "input_text" || part.type === "output_text") return part.text ?? "";
      throw new Error(`The fake OpenAI does not bill content parts of type ${part.type}`);
    })
    .join("");
}

/** The request's messages, in order: instructions as a developer message, then the input. */
function messagesOf(body: ResponsesBody): Message[] {
  const messages: Message[] = body.instructions ? [{ role: "developer", content: body.instructions }] : [];
  if (typeof body.input === "string") return [...messages, { role: "user", content: body.input }];
  for (const item of body.input ?? []) {
    if (item.type !== undefined && item.type !== "message")
      throw new Error(`The fake OpenAI does not bill input items of type ${String(item.type)}`);
    messages.push({ role: String(item.role), content: messageText(item.content) });
  }
  return messages;
}

const prefixKey = (model: string, messages: Message[]) =>
  createHash("sha256")
    .update(JSON.stringify([model, messages]))
    .digest("hex");

export function responsesApi({ statsFor, wordDelayMs }: { statsFor: (tag: string) => FakeStats; wordDelayMs: number }) {
  const stored = new Map<string, { response: Record<string, unknown>; messages: Message[] }>();
  const seenPrefixes = new Set<string>();
  let ids = 0;

  function retrieve(res: ServerResponse, id: string) {
    const entry = stored.get(id);
    if (entry) return json(res, 200, entry.response);
    return json(res, 404, {
      error: { message: `Response with id '${id}' not found.`, type: "invalid_request_error", param: null, code: null },
    });
  }

  function create(res: ServerResponse, body: ResponsesBody, receivedAt: number) {
    const invalid = (message: string, param: string | null, code: string | null = null) =>
      json(res, 400, { error: { message, type: "invalid_request_error", param, code } });
    const reasoning = isReasoningModel(body.model);
    if (body.reasoning?.effort && !reasoning)
      return invalid(
        `Unsupported parameter: 'reasoning.effort' is not supported with this model.`,
        "reasoning.effort",
        "unsupported_parameter",
      );
    const previous = body.previous_response_id ? stored.get(body.previous_response_id) : undefined;
    if (body.previous_response_id && !previous)
      return invalid(
        `Previous response with id '${body.previous_response_id}' not found.`,
        "previous_response_id",
        "previous_response_not_found",
      );

    const own = messagesOf(body);
    const messages = [...(previous?.messages ?? []), ...own];
    const last = own.findLast((message) => message.role === "user")?.content ?? "";
    const all = tagsOf(last).map(statsFor);
    for (const stats of all) {
      stats.responses++;
      stats.lastResponse = { body: structuredClone(body), receivedAt };
    }
    let finished = false;
    res.on("close", () => {
      if (!finished) for (const stats of all) stats.aborts++;
    });
    const done = () => {
      finished = true;
      for (const stats of all) stats.completed++;
    };
    const fault = faultOf(last);
    if (answerFault(res, fault, body.model)) return done();
    if (fault === "hang") return;

    // Input tokens, and what of them the prompt cache holds.
    const format = body.text?.format;
    const structured = format?.type === "json_schema";
    const inputTokens = chatPromptTokens({
      messages,
      ...(structured && {
        response_format: { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: format.strict } },
      }),
    });
    let cachedTokens = 0;
    for (let k = messages.length - 1; k > 0 && inputTokens >= 1024; k--) {
      if (!seenPrefixes.has(prefixKey(body.model, messages.slice(0, k)))) continue;
      const prefixTokens = chatPromptTokens({ messages: messages.slice(0, k) });
      if (prefixTokens >= 1024) cachedTokens = 1024 + Math.floor((prefixTokens - 1024) / 128) * 128;
      break;
    }
    for (let k = 1; k <= messages.length; k++) seenPrefixes.add(prefixKey(body.model, messages.slice(0, k)));

    const maxTokens = body.max_output_tokens ?? Number.POSITIVE_INFINITY;
    const reasoningTokens = reasoning ? Math.min(REASONING_TOKENS[body.reasoning?.effort ?? "medium"] ?? 0, maxTokens) : 0;
    const textBudget = maxTokens - reasoningTokens;
    const answer = structured ? structuredAnswer(last, fault) : textAnswer(last, fault);
    const id = `resp_fake${++ids}`;
    const messageId = `msg_fake${ids}`;
    const store = body.store ?? true;

    const usage = (outputText: string) => {
      const outputTokens = reasoningTokens + chatTokens(outputText);
      return {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: cachedTokens, cache_write_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: reasoningTokens },
        total_tokens: inputTokens + outputTokens,
      };
    };
    const bill = (outputText: string) => {
      const billed = usage(outputText);
      for (const stats of all) {
        stats.billed.promptTokens += billed.input_tokens;
        stats.billed.completionTokens += billed.output_tokens;
        stats.billed.cachedTokens += cachedTokens;
        stats.billed.reasoningTokens += reasoningTokens;
      }
    };
    const reasoningItem = { id: `rs_fake${ids}`, type: "reasoning", summary: [] };
    const part = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });
    const messageItem = (text: string, status: string) => ({
      id: messageId,
      type: "message",
      status,
      role: "assistant",
      content: status === "in_progress" ? [] : [part(text)],
    });
    const response = (status: string, output: unknown[], outputText: string | null) => ({
      id,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status,
      error: null,
      incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: body.model,
      output,
      parallel_tool_calls: true,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: { effort: reasoning ? (body.reasoning?.effort ?? "medium") : null, summary: null },
      store,
      temperature: 1,
      text: { format: format ?? { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: 1,
      truncation: "disabled",
      usage: outputText === null ? null : usage(outputText),
      metadata: {},
    });
    const keep = (final: Record<string, unknown>, outputText: string) => {
      if (store) stored.set(id, { response: final, messages: [...messages, { role: "assistant", content: outputText }] });
    };

    if (!body.stream) {
      let text = answer;
      let status = "completed";
      if (textBudget <= 0) [text, status] = ["", "incomplete"];
      else if (chatTokens(text) > textBudget) [text, status] = [firstChatTokens(text, textBudget), "incomplete"];
      const output = [...(reasoning ? [reasoningItem] : []), ...(text ? [messageItem(text, status)] : [])];
      const final = response(status, output, text);
      bill(text);
      keep(final, text);
      done();
      return json(res, 200, final);
    }

    const events = openEventStream(res);
    let sequence = 0;
    const send = (type: string, data: Record<string, unknown>) => events.send(type, { type, sequence_number: sequence++, ...data });
    send("response.created", { response: response("in_progress", [], null) });
    send("response.in_progress", { response: response("in_progress", [], null) });
    const messageIndex = reasoning ? 1 : 0;
    if (reasoning) {
      send("response.output_item.added", { output_index: 0, item: reasoningItem });
      send("response.output_item.done", { output_index: 0, item: reasoningItem });
    }
    const ref = { item_id: messageId, output_index: messageIndex, content_index: 0 };
    const complete = (status: string, text: string) => {
      const output = [...(reasoning ? [reasoningItem] : []), ...(text || status === "completed" ? [messageItem(text, status)] : [])];
      const final = response(status, output, text);
      keep(final, text);
      send(status === "completed" ? "response.completed" : "response.incomplete", { response: final });
      done();
    };
    if (textBudget <= 0) {
      bill("");
      complete("incomplete", "");
      return res.end();
    }
    send("response.output_item.added", { output_index: messageIndex, item: messageItem("", "in_progress") });
    send("response.content_part.added", { ...ref, part: part("") });
    streamWords(res, {
      fault,
      text: last,
      ...(structured && { pieces: piecesOf(answer) }),
      delayMs: wordDelayMs,
      maxTokens: textBudget,
      tokens: chatTokens,
      firstTokens: firstChatTokens,
      emit: (delta) => send("response.output_text.delta", { ...ref, delta, logprobs: [] }),
      finish: (reason, text) => {
        const status = reason === "stop" ? "completed" : "incomplete";
        send("response.output_text.done", { ...ref, text, logprobs: [] });
        send("response.content_part.done", { ...ref, part: part(text) });
        send("response.output_item.done", { output_index: messageIndex, item: messageItem(text, status) });
        complete(status, text);
      },
      billed: bill,
    });
  }

  return { create, retrieve };
}
