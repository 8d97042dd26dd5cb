import "server-only";
import { saveExchange } from "@/db/queries/conversations";
import { ClientAbort } from "@/lib/ai/openai-provider";
import { modelProvider } from "@/lib/ai/provider";
import type { ModelUsage } from "@/lib/ai/types";
import { AppError, type ErrorPayload } from "@/lib/errors";
import { admitRequest, completeRequest, refuseRequest, startGuardedRequest, toAppError, type GuardContext } from "@/lib/guard";
import { safetyIdentifier } from "@/lib/guard/hashing";
import { issueRequestToken } from "@/lib/guard/request-token";
import { isSameOrigin } from "@/lib/same-origin";
import { chatFeature } from "./feature";

// The chat stream: the guard pipeline, then the model's reply streamed as NDJSON events
// (start, text…, then done or error). A route handler rather than a server action, because
// only a route handler sees the client's abort (request.signal), and the stop button must
// stop the upstream call and its billing.

export type ChatEvent =
  // title: what a new conversation is called (its first message, shortened), so the sidebar can list it at once.
  | { type: "start"; conversationId: string; title: string; nextToken: string; demo: boolean; model: string }
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

async function readBody(request: Request): Promise<unknown> {
  if (!isSameOrigin(request.headers)) throw new AppError("forbidden", { message: "Cross-site request refused." });
  if (!request.headers.get("content-type")?.startsWith("application/json")) {
    throw new AppError("invalid_input", { message: "Send JSON." });
  }
  // Refuse an oversized body before reading it when its length is declared, after otherwise.
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw new AppError("message_too_long");
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new AppError("message_too_long");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_input", { message: "Send JSON." });
  }
}

export async function handleChatRequest(request: Request, defer: GuardContext["defer"]): Promise<Response> {
  // Aborted by the client (request.signal) or by the stream being cancelled, whichever first.
  const upstreamAbort = new AbortController();
  request.signal.addEventListener("abort", () => upstreamAbort.abort(), { once: true });
  const ctx = startGuardedRequest({ feature: chatFeature, raw: null, headers: request.headers, signal: upstreamAbort.signal, defer });
  try {
    ctx.raw = await readBody(request);
    await admitRequest(ctx);
  } catch (error) {
    const appError = await refuseRequest(ctx, error);
    // A fresh token lets the page try again without a reload (not after a session failure).
    return refusal(appError, ctx.user ? issueRequestToken(ctx.user.id) : undefined);
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
      send({ type: "start", conversationId, title, nextToken: issueRequestToken(user.id), demo: provider.isDemo, model: input.model });
      void pump(send).finally(close);
    },
    cancel() {
      open = false;
      upstreamAbort.abort();
    },
  });

  async function pump(send: (event: ChatEvent) => void): Promise<void> {
    let generated = "";
    let chunks = 0;
    let usage: ModelUsage | null = null;
    const upstreamStarted = performance.now();
    const saveTurns = (assistantText: string) =>
      saveExchange({
        userId: user.id,
        conversationId,
        title,
        userText: input.userText,
        assistantText,
      });
    try {
      const events = provider.streamChat({
        model: input.model,
        messages: input.messages,
        maxOutputTokens: plan.maxOutputTokens,
        safetyIdentifier: safetyIdentifier(user.id),
        signal: upstreamAbort.signal,
      });
      for await (const event of events) {
        if (event.type === "usage") {
          usage = event.usage;
          continue;
        }
        ctx.timings.upstream_first_token ??= Math.round(performance.now() - upstreamStarted);
        generated += event.text;
        chunks++;
        send(event);
      }
      const final = usage ?? { inputTokens: ctx.estimatedInputTokens ?? 0, outputTokens: chunks };
      await saveTurns(generated);
      await completeRequest(ctx, { outcome: "served", usage: final, responseText: generated });
      send({ type: "done", usage: final });
    } catch (error) {
      // No usage chunk comes after an abort or a cut: charge the input and what we counted.
      const charged = { inputTokens: ctx.estimatedInputTokens ?? 0, outputTokens: Math.max(chunks, Math.ceil(generated.length / 4)) };
      if (error instanceof ClientAbort || upstreamAbort.signal.aborted) {
        if (generated) await saveTurns(generated).catch((cause) => console.error("[chat] could not save", cause));
        await completeRequest(ctx, { outcome: "aborted", usage: charged, responseText: generated });
        return;
      }
      const appError = toAppError(error);
      if (generated) {
        // Cut mid-way: the provider generated (and bills) these tokens, so they are charged.
        await completeRequest(ctx, { outcome: appError.code, usage: charged, responseText: generated, details: { partial: true } });
      } else {
        await refuseRequest(ctx, appError);
      }
      send({ type: "error", error: appError.toPayload() });
    }
  }
}
