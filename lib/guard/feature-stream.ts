import "server-only";
import { ClientAbort } from "@/lib/ai/upstream";
import { catalogueEntry } from "@/lib/ai/catalogue";
import { modelProvider } from "@/lib/ai/provider";
import { countTextTokens } from "@/lib/ai/tokens";
import { inputTokensOf, outputTokensOf, tokenUsage, type TokenUsage } from "@/lib/ai/usage";
import { env } from "@/lib/env";
import { AppError, type ErrorPayload } from "@/lib/errors";
import { isSameOrigin } from "@/lib/http/same-origin";
import type { FeatureContext, StreamFeatureDefinition } from "./feature";
import { startFeatureRequest, type FeatureRequest } from "./feature-adapter";
import { safetyIdentifier } from "./hashing";
import {
  completeRequest,
  isUnansweredAfterSend,
  nextRequestToken,
  refuseRequest,
  toAppError,
  unansweredUsage,
  type GuardContext,
} from "./index";
import { issueRequestToken } from "./request-token";

// A stream feature's route handler: the guard pipeline, then the model's reply streamed as
// NDJSON events (start, text…, then done or error). A route handler rather than a server
// action, because only a route handler sees the client's abort (request.signal), and a stop
// button must stop the upstream call and its billing.

export type StreamOutput<Input, Start extends object> = {
  type: "stream";
  /** Fields the start event carries besides the request's own (the chat: its conversation id and title). */
  start?(ctx: FeatureContext<Input>): Start;
  /** Keeps the exchange (the chat saves both turns): after the last event, also for a cut or stopped reply that has text. */
  save?(ctx: FeatureContext<Input>, reply: string): Promise<void>;
};

export type FeatureStreamEvent<Start extends object> =
  | ({ type: "start"; nextToken: string; demo: boolean; model: string; requestId: string } & Start)
  | { type: "text"; text: string }
  /** The request's tokens in and out (cached input and reasoning included), as charged. */
  | { type: "done"; usage: { inputTokens: number; outputTokens: number } }
  | { type: "error"; error: ErrorPayload };

const MAX_BODY_BYTES = 256 * 1024;

function refusal(error: AppError, nextToken?: string): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json({ error: error.toPayload(), ...(nextToken && { nextToken }) }, { status: error.status, headers });
}

/** The cheap checks, on headers only: before the session is read or a byte of the body. */
function checkRequestHeaders(request: Request): void {
  // Route handlers get no built-in CSRF check (server actions do): check the Origin here.
  if (!isSameOrigin(request.headers)) throw new AppError("forbidden", { message: "Cross-site request refused." });
  if (!request.headers.get("content-type")?.startsWith("application/json")) {
    throw new AppError("invalid_input", { message: "Send JSON." });
  }
  // Browsers always declare the length of a JSON body; an undeclared one is not buffered.
  const declared = request.headers.get("content-length");
  if (declared === null || !/^\d+$/.test(declared)) throw new AppError("length_required");
  if (Number(declared) > MAX_BODY_BYTES) throw new AppError("message_too_long");
}

/** Reads at most MAX_BODY_BYTES (a body longer than it declared is cut off, not buffered). */
async function readBody(request: Request): Promise<unknown> {
  const parts: Uint8Array[] = [];
  const reader = request.body?.getReader();
  let size = 0;
  for (let chunk = await reader?.read(); reader && chunk && !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new AppError("message_too_long");
    }
    parts.push(chunk.value);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch {
    throw new AppError("invalid_input", { message: "Send JSON." });
  }
}

export async function handleFeatureStream<Input, Start extends object>(
  definition: StreamFeatureDefinition<Input, Start>,
  request: Request,
  defer: FeatureRequest["defer"],
): Promise<Response> {
  // Aborted by the client (request.signal) or by the stream being cancelled, whichever first.
  const upstreamAbort = new AbortController();
  request.signal.addEventListener("abort", () => upstreamAbort.abort(), { once: true });
  const { ctx, admit } = startFeatureRequest(
    definition,
    // The body is read by the input step, after the session step: no body is read for a stranger.
    { raw: null, readRaw: () => readBody(request), headers: request.headers, signal: upstreamAbort.signal, defer },
    { key: "stream" },
  );
  let feature: FeatureContext<Input>;
  let start: FeatureStreamEvent<Start>;
  try {
    checkRequestHeaders(request);
    feature = await admit();
    const provider = modelProvider(feature.model);
    const fields = {
      type: "start" as const,
      nextToken: issueRequestToken(feature.user.id),
      demo: provider.isDemo,
      model: feature.model,
      requestId: ctx.requestId,
    };
    // The feature's fields cannot overwrite the request's own.
    start = Object.assign({}, definition.output.start?.(feature), fields);
  } catch (error) {
    const appError = await refuseRequest(ctx, error);
    // A fresh token lets the page try again without a reload (not after a session failure).
    return refusal(appError, nextRequestToken(ctx));
  }
  return new Response(streamReply(definition, ctx, feature, start, upstreamAbort), {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}

function streamReply<Input, Start extends object>(
  definition: StreamFeatureDefinition<Input, Start>,
  ctx: GuardContext,
  feature: FeatureContext<Input>,
  start: FeatureStreamEvent<Start>,
  upstreamAbort: AbortController,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let open = true;

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: FeatureStreamEvent<Start>) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          open = false; // the client went away; the abort path settles
        }
      };
      const close = () => {
        if (!open) return;
        open = false;
        try {
          controller.close();
        } catch {
          // already closed by a cancel
        }
      };
      send(start);
      void pump(send).finally(close);
    },
    cancel() {
      open = false;
      upstreamAbort.abort();
    },
  });

  async function pump(send: (event: FeatureStreamEvent<Start>) => void): Promise<void> {
    let generated = "";
    let answered = false;
    let usage: TokenUsage | null = null;
    const provider = modelProvider(feature.model);
    const upstreamStarted = performance.now();
    // The stream's total deadline, below the platform's maxDuration: a trickling upstream that
    // never goes idle is cut here, and charged like any answer cut mid-way.
    let pastDeadline = false;
    const deadline = setTimeout(
      () => {
        pastDeadline = true;
        upstreamAbort.abort();
      },
      Math.max(0, env.CHAT_STREAM_DEADLINE_MS - (performance.now() - ctx.startedAt)),
    );
    // What the provider bills: its own usage report, or (none came: a cut, an abort) the
    // prompt's count plus what was received, counted with the same tokenizer.
    // A provider without a published tokenizer (and with unseen thinking tokens) cannot be
    // counted from the text received: without its report, the reserved worst case is charged.
    const countable = provider.isDemo || catalogueEntry(feature.model).provider === "openai";
    const billed = (): TokenUsage =>
      usage ??
      (countable ? tokenUsage({ uncachedInput: feature.promptTokens, output: countTextTokens(generated) }) : unansweredUsage(feature));
    // After the last event has gone: the exchange saved and the usage settled at once (two
    // independent writes), then the stream closes, so a client that reads to the end (the chat
    // page does) never sends its next message before this one is stored. The audit row waits
    // for the outcome that `completeRequest` records.
    const finishAfterLastEvent = (result: { outcome: string; usage: TokenUsage; details?: Record<string, unknown> }, save: boolean) =>
      Promise.all([
        save && definition.output.save
          ? Promise.resolve()
              .then(() => definition.output.save?.(feature, generated))
              .catch((cause) => console.error(`[${definition.name}] could not save the exchange`, ctx.requestId, cause))
          : undefined,
        completeRequest(ctx, { ...result, responseText: generated }),
      ]);
    try {
      const events = provider.streamChat({
        model: feature.model,
        messages: feature.messages,
        maxOutputTokens: feature.plan.maxOutputTokens,
        safetyIdentifier: safetyIdentifier(feature.user.id),
        signal: upstreamAbort.signal,
        demoAnswer: () => definition.demoAnswer(feature.input),
      });
      for await (const event of events) {
        if (event.type === "open") {
          answered = true;
          continue;
        }
        if (event.type === "usage") {
          usage = event.usage;
          continue;
        }
        ctx.timings.upstream_first_token ??= Math.round(performance.now() - upstreamStarted);
        generated += event.text;
        send(event);
      }
      if (pastDeadline) throw new ClientAbort();
      const final = billed();
      send({ type: "done", usage: { inputTokens: inputTokensOf(final), outputTokens: outputTokensOf(final) } });
      await finishAfterLastEvent({ outcome: "served", usage: final }, true);
    } catch (caught) {
      let error = caught;
      if (pastDeadline) {
        const seconds = Math.round(env.CHAT_STREAM_DEADLINE_MS / 1000);
        error = new AppError("upstream_timeout", {
          message: `The reply reached the ${seconds}-second limit and was cut off. What was generated counts toward today's usage.`,
        });
      } else if (error instanceof ClientAbort || upstreamAbort.signal.aborted) {
        // The client left: charge the input and what was generated (no usage chunk follows an abort).
        await finishAfterLastEvent({ outcome: "aborted", usage: billed() }, generated !== "");
        return;
      }
      const appError = toAppError(error);
      send({ type: "error", error: appError.toPayload() });
      // The upstream answered before it failed: it bills what it generated, so that is charged.
      if (answered) await finishAfterLastEvent({ outcome: appError.code, usage: billed(), details: { partial: true } }, generated !== "");
      // Sent, and no answer in time: the provider may still have run and billed it.
      else if (isUnansweredAfterSend(appError))
        await finishAfterLastEvent({ outcome: appError.code, usage: unansweredUsage(feature) }, false);
      else await refuseRequest(ctx, appError);
    } finally {
      clearTimeout(deadline);
    }
  }
}
