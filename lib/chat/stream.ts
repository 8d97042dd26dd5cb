import "server-only";
import { saveExchange } from "@/db/queries/conversations";
import { ClientAbort } from "@/lib/ai/openai-provider";
import { modelProvider } from "@/lib/ai/provider";
import { countTextTokens } from "@/lib/ai/tokens";
import type { ModelUsage } from "@/lib/ai/types";
import { env } from "@/lib/env";
import { AppError, type ErrorPayload } from "@/lib/errors";
import { admitRequest, completeRequest, nextRequestToken, refuseRequest, startGuardedRequest, toAppError, type GuardContext } from "@/lib/guard";
import { safetyIdentifier } from "@/lib/guard/hashing";
import { issueRequestToken } from "@/lib/guard/request-token";
import { isSameOrigin } from "@/lib/http/same-origin";
import { chatFeature } from "./feature";

// The chat stream: the guard pipeline, then the model's reply streamed as NDJSON events
// (start, text…, then done or error). A route handler rather than a server action, because
// only a route handler sees the client's abort (request.signal), and the stop button must
// stop the upstream call and its billing.

export type ChatEvent =
  // title: what a new conversation is called (its first message, shortened), so the sidebar can list it at once.
  | { type: "start"; conversationId: string; title: string; nextToken: string; demo: boolean; model: string; requestId: string }
  | { type: "text"; text: string }
  | { type: "done"; usage: ModelUsage }
  | { type: "error"; error: ErrorPayload };

const MAX_BODY_BYTES = 256 * 1024;
const TITLE_LENGTH = 60;

function refusal(error: AppError, nextToken?: string): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json({ error: error.toPayload(), ...(nextToken && { nextToken }) }, { status: error.status, headers });
}

/** The cheap checks, on headers only: before the session is read or a byte of the body. */
function checkRequestHeaders(request: Request): void {
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
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader!.cancel();
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

export async function handleChatRequest(request: Request, defer: GuardContext["defer"]): Promise<Response> {
  // Aborted by the client (request.signal) or by the stream being cancelled, whichever first.
  const upstreamAbort = new AbortController();
  request.signal.addEventListener("abort", () => upstreamAbort.abort(), { once: true });
  const ctx = startGuardedRequest({
    feature: chatFeature,
    raw: null,
    // Read by the input step, after the session step: no body is read for a stranger.
    readRaw: () => readBody(request),
    headers: request.headers,
    signal: upstreamAbort.signal,
    defer,
  });
  try {
    checkRequestHeaders(request);
    await admitRequest(ctx);
  } catch (error) {
    const appError = await refuseRequest(ctx, error);
    // A fresh token lets the page try again without a reload (not after a session failure).
    return refusal(appError, nextRequestToken(ctx));
  }
  return new Response(streamReply(ctx, upstreamAbort), {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}

function streamReply(ctx: GuardContext, upstreamAbort: AbortController): ReadableStream<Uint8Array> {
  const { user, plan, input } = ctx as Required<Pick<GuardContext, "user" | "plan" | "input">> & GuardContext;
  const conversationId = String(input.extra.conversationId);
  const title = input.userText.replace(/\s+/g, " ").slice(0, TITLE_LENGTH);
  const provider = modelProvider();
  const encoder = new TextEncoder();
  let open = true;

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: ChatEvent) => {
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
      send({ type: "start", conversationId, title, nextToken: issueRequestToken(user.id), demo: provider.isDemo, model: input.model, requestId: ctx.requestId });
      void pump(send).finally(close);
    },
    cancel() {
      open = false;
      upstreamAbort.abort();
    },
  });

  async function pump(send: (event: ChatEvent) => void): Promise<void> {
    let generated = "";
    let answered = false;
    let usage: ModelUsage | null = null;
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
    const saveTurns = (assistantText: string) =>
      saveExchange({
        userId: user.id,
        conversationId,
        title,
        userText: input.userText,
        assistantText,
      });
    // What the provider bills: its own usage report, or (none came: a cut, an abort) the
    // prompt's count plus what was received, counted with the same tokenizer.
    const billed = (): ModelUsage => usage ?? { inputTokens: ctx.promptTokens ?? 0, outputTokens: countTextTokens(generated) };
    try {
      const events = provider.streamChat({
        model: input.model,
        messages: input.messages,
        maxOutputTokens: plan.maxOutputTokens,
        safetyIdentifier: safetyIdentifier(user.id),
        signal: upstreamAbort.signal,
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
      await saveTurns(generated);
      await completeRequest(ctx, { outcome: "served", usage: final, responseText: generated });
      send({ type: "done", usage: final });
    } catch (caught) {
      let error = caught;
      if (pastDeadline) {
        const seconds = Math.round(env.CHAT_STREAM_DEADLINE_MS / 1000);
        error = new AppError("upstream_timeout", {
          message: `The reply reached the ${seconds}-second limit and was cut off. What was generated counts toward today's usage.`,
        });
      } else if (error instanceof ClientAbort || upstreamAbort.signal.aborted) {
        // The client left: charge the input and what was generated (no usage chunk follows an abort).
        if (generated) await saveTurns(generated).catch((cause) => console.error("[chat] could not save", cause));
        await completeRequest(ctx, { outcome: "aborted", usage: billed(), responseText: generated });
        return;
      }
      const appError = toAppError(error);
      if (answered) {
        // The upstream answered before it failed: it bills what it generated, so that is charged.
        if (generated) await saveTurns(generated).catch((cause) => console.error("[chat] could not save", cause));
        await completeRequest(ctx, { outcome: appError.code, usage: billed(), responseText: generated, details: { partial: true } });
      } else {
        await refuseRequest(ctx, appError);
      }
      send({ type: "error", error: appError.toPayload() });
    } finally {
      clearTimeout(deadline);
    }
  }
}
