"use client";

import { useRouter } from "next/navigation";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import type { ChatEvent } from "@/lib/chat/stream";
import type { ErrorPayload } from "@/lib/errors";
import { FeedbackButtons } from "./feedback-buttons";
import { RefusalMessage } from "./refusal-message";

type Message = { id: string; role: "user" | "assistant"; content: string; stopped?: boolean; requestId?: string };

// Markdown for replies is loaded only when there is a reply to show; until then, plain text.
const AssistantMarkdown = lazy(() => import("./assistant-markdown"));

// Sends only the new message, its conversation id and the one-time token; everything else
// (history, system prompt, model) is decided on the server. The reply is read as NDJSON
// events; the stop button aborts the fetch, which aborts the upstream call on the server.
export function ChatWindow(props: { conversationId?: string; initialMessages: Message[]; initialToken: string }) {
  const router = useRouter();
  const [messages, setMessages] = useState<Message[]>(props.initialMessages);
  const [draft, setDraft] = useState("");
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [demo, setDemo] = useState(false);
  const conversationId = useRef(props.conversationId);
  const token = useRef(props.initialToken);
  const abort = useRef<AbortController | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  // Follow the reply as it grows, unless the reader has scrolled up to read something.
  useEffect(() => {
    const element = log.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

  const appendToReply = (replyId: string, text: string) =>
    setMessages((current) => current.map((message) => (message.id === replyId ? { ...message, content: message.content + text } : message)));

  async function post(text: string, signal: AbortSignal, retried = false): Promise<Response> {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId: conversationId.current, message: text, token: token.current }),
      signal,
    });
    if (response.ok) return response;
    const body = (await response.json().catch(() => null)) as { error?: ErrorPayload; nextToken?: string } | null;
    if (body?.nextToken) token.current = body.nextToken;
    // An expired page token is not the user's problem: retry once with the fresh one.
    if (!retried && body?.nextToken && body.error?.code === "invalid_request_token") return post(text, signal, true);
    throw body?.error ?? { code: "service_unavailable", message: "Something went wrong. Please try again." };
  }

  async function send() {
    const text = draft.trim();
    if (!text || streaming) return;
    setError(null);
    setDraft("");
    const replyId = crypto.randomUUID();
    const questionId = crypto.randomUUID();
    setMessages((current) => [...current, { id: questionId, role: "user", content: text }, { id: replyId, role: "assistant", content: "" }]);
    setStreaming(true);
    stickToBottom.current = true;
    const controller = new AbortController();
    abort.current = controller;
    let startedNew = false;
    try {
      const response = await post(text, controller.signal);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (!line) continue;
          const event = JSON.parse(line) as ChatEvent;
          if (event.type === "start") {
            token.current = event.nextToken;
            const requestId = event.requestId;
            setMessages((current) => current.map((message) => (message.id === replyId ? { ...message, requestId } : message)));
            setDemo(event.demo);
            startedNew = !conversationId.current;
            conversationId.current = event.conversationId;
          } else if (event.type === "text") appendToReply(replyId, event.text);
          else if (event.type === "error") setError(event.error);
        }
      }
    } catch (caught) {
      if (controller.signal.aborted) {
        setMessages((current) => current.map((message) => (message.id === replyId ? { ...message, stopped: true } : message)));
      } else {
        setError(isPayload(caught) ? caught : { code: "service_unavailable", message: "The connection was lost. Please try again." });
        if (isPayload(caught)) {
          // Refused before anything was sent to the model: nothing was saved, so give the
          // text back to the composer instead of showing it as sent.
          setMessages((current) => current.filter((message) => message.id !== replyId && message.id !== questionId));
          setDraft(text);
        } else {
          setMessages((current) => current.filter((message) => message.id !== replyId || message.content !== ""));
        }
      }
    } finally {
      setStreaming(false);
      abort.current = null;
      if (startedNew && conversationId.current) {
        window.history.replaceState(null, "", `/chat/${conversationId.current}`);
      }
      router.refresh(); // the sidebar's list and titles
    }
  }

  return (
    <div className="chat-window">
      {demo && <p className="hint">Replies come from the demo model.</p>}
      <div
        className="chat-log"
        ref={log}
        aria-live="polite"
        data-testid="chat-log"
        onScroll={(event) => {
          const element = event.currentTarget;
          stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        {messages.length === 0 && <p className="hint chat-empty">Ask anything. Your conversation is saved to your account.</p>}
        {messages.map((message) => (
          <div key={message.id} className={`chat-message ${message.role}`} data-testid={`message-${message.role}`}>
            {message.role === "assistant" && message.content ? (
              <Suspense fallback={<p>{message.content}</p>}>
                <AssistantMarkdown text={message.content} />
              </Suspense>
            ) : (
              // The user's own words stay plain text with their newlines.
              <p>{message.content || (streaming && message.role === "assistant" ? "…" : "")}</p>
            )}
            {message.stopped && <p className="hint">Stopped.</p>}
            {message.requestId && message.content && !(streaming && message === messages.at(-1)) && <FeedbackButtons requestId={message.requestId} />}
          </div>
        ))}
      </div>
      {error && <RefusalMessage key={`${error.code}${messages.length}`} error={error} />}
      <form
        className="chat-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <textarea
          name="message"
          aria-label="Message"
          placeholder="Send a message (Enter to send, Shift+Enter for a new line)"
          rows={3}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void send();
            }
          }}
        />
        {streaming ? (
          <button type="button" className="button secondary" onClick={() => abort.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" className="button" disabled={!draft.trim()}>
            Send
          </button>
        )}
      </form>
    </div>
  );
}

function isPayload(value: unknown): value is ErrorPayload {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}
