"use client";

import { ArrowDownIcon, ArrowUpIcon, SparklesIcon, SquareIcon } from "lucide-react";
import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState, useTransition } from "react";
import { loadEarlierMessagesAction } from "@/app/chat/actions";
import { Button } from "@/components/ui/button";
import type { OfferedModel } from "@/lib/ai/offered";
import type { ChatEvent } from "@/lib/chat/feature";
import type { ErrorPayload } from "@/lib/errors";
import { readNdjson } from "@/lib/http/ndjson";
import { cn } from "@/lib/utils";
import { useConversations } from "./conversations-context";
import { CopyButton } from "./copy-button";
import { FeedbackButtons } from "./feedback-buttons";
import { ModelPicker } from "./model-picker";
import { RefusalAlert, refusalEndsAt } from "./refusal-alert";

export type Message = { id: string; role: "user" | "assistant"; content: string; stopped?: boolean; requestId?: string };
type Refusal = { error: ErrorPayload; until: number | null };

// Markdown for replies is loaded only when there is a reply to show; until then, plain text.
const AssistantMarkdown = lazy(() => import("./assistant-markdown"));

const SUGGESTIONS = [
  "Compare Python, Go and Rust for a web API in a table",
  "Write a TypeScript function that retries a fetch",
  "Explain how this app guards every model call",
  "Give me a SQL query for daily active users",
];

/** Within this many pixels of the bottom, the log keeps following the reply. */
const FOLLOW_THRESHOLD_PX = 48;
/** The character count appears once a message reaches this share of the plan's limit. */
const COUNT_FROM = 0.8;

type ChatWindowProps = {
  conversationId?: string;
  initialMessages: Message[];
  /** The page shows the latest messages; older ones load on request. */
  hasEarlier?: boolean;
  initialToken: string;
  maxInputChars: number;
  /** The models the plan offers now (the picker), and the one first chosen: the conversation's, else the plan's best. */
  models: readonly OfferedModel[];
  initialModel: string;
  /** A refusal that already holds when the page loads (today's quota spent). */
  initialRefusal: ErrorPayload | null;
  canUpgrade: boolean;
};

// Sends only the new message, its conversation id, the picked model and the one-time token;
// everything else (history, system prompt) is decided on the server, which also checks the model
// against the plan. The reply is read as NDJSON
// events; the stop button aborts the fetch, which aborts the upstream call on the server.
export function ChatWindow(props: ChatWindowProps) {
  const { touch } = useConversations();
  const [messages, setMessages] = useState<Message[]>(props.initialMessages);
  const [hasEarlier, setHasEarlier] = useState(props.hasEarlier ?? false);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  const [loadingEarlier, startLoadingEarlier] = useTransition();
  /** The log's height before earlier messages were put on top: the reader's place is kept. */
  const heightBeforePrepend = useRef<number | null>(null);
  const [conversationId, setConversationId] = useState(props.conversationId);
  const [shownConversation, setShownConversation] = useState(props.conversationId);
  const [draft, setDraft] = useState("");
  const [model, setModel] = useState(props.initialModel);
  const [streaming, setStreaming] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(() =>
    props.initialRefusal
      ? { error: props.initialRefusal, until: props.initialRefusal.resetsAt ? Date.parse(props.initialRefusal.resetsAt) : null }
      : null,
  );
  const [atBottom, setAtBottom] = useState(true);
  const [navigations, setNavigations] = useState(0);
  const token = useRef(props.initialToken);
  const abort = useRef<AbortController | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const follow = useRef(true);

  // Another conversation (or "New chat") was opened: start over with the server's history. The
  // server re-rendering the conversation this window itself created is not a navigation, so a
  // message sent right after the first reply stays where it is.
  if (props.conversationId !== shownConversation) {
    setShownConversation(props.conversationId);
    if (props.conversationId !== conversationId) {
      setConversationId(props.conversationId);
      setMessages(props.initialMessages);
      setHasEarlier(props.hasEarlier ?? false);
      setEarlierError(null);
      setDraft("");
      setModel(props.initialModel);
      setRefusal((current) => (current?.error.code === "quota_exceeded" ? current : null));
      setAtBottom(true);
      setNavigations((count) => count + 1);
    }
  }
  // Leaving a conversation (or the page) stops its reply, as the stop button would.
  useEffect(() => () => abort.current?.abort(), [navigations]);

  // A refusal with an end (rate limit, daily reset) clears itself when that time comes.
  const blockedUntil = refusal && (refusal.error.code === "rate_limited" || refusal.error.code === "quota_exceeded") ? refusal.until : null;
  useEffect(() => {
    if (blockedUntil === null) return;
    const timer = setTimeout(() => setRefusal(null), Math.max(0, blockedUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [blockedUntil]);
  const blocked = blockedUntil !== null;

  // Follow the reply as it grows, unless the reader has scrolled up to read something; after
  // earlier messages were put on top, stay on what the reader was looking at.
  useLayoutEffect(() => {
    const element = log.current;
    if (!element) return;
    if (heightBeforePrepend.current !== null) {
      element.scrollTop += element.scrollHeight - heightBeforePrepend.current;
      heightBeforePrepend.current = null;
    } else if (follow.current) element.scrollTop = element.scrollHeight;
  }, [messages, refusal]);

  function loadEarlier() {
    const first = messages[0];
    if (!conversationId || !first) return;
    setEarlierError(null);
    startLoadingEarlier(async () => {
      const form = new FormData();
      form.set("conversationId", conversationId);
      form.set("before", first.id);
      const result = await loadEarlierMessagesAction(null, form);
      if (!result.ok) {
        setEarlierError(result.error.message);
        return;
      }
      heightBeforePrepend.current = log.current?.scrollHeight ?? null;
      setMessages((current) => [...result.data.messages, ...current]);
      setHasEarlier(result.data.hasEarlier);
    });
  }

  // The composer grows with its text, up to a limit, then scrolls.
  useLayoutEffect(() => {
    const element = composer.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, 200)}px`;
  }, [draft]);

  function scrollToBottom(behavior: ScrollBehavior = "smooth") {
    follow.current = true;
    setAtBottom(true);
    log.current?.scrollTo({ top: log.current.scrollHeight, behavior });
  }

  const appendToReply = (replyId: string, text: string) =>
    setMessages((current) =>
      current.map((message) => (message.id === replyId ? { ...message, content: message.content + text } : message)),
    );

  async function post(text: string, signal: AbortSignal, retried = false): Promise<Response> {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conversationId, message: text, token: token.current, ...(model ? { model } : {}) }),
      signal,
    });
    if (response.ok) return response;
    const body = (await response.json().catch(() => null)) as { error?: ErrorPayload; nextToken?: string } | null;
    if (body?.nextToken) token.current = body.nextToken;
    // An expired page token is not the user's problem: retry once with the fresh one.
    if (!retried && body?.nextToken && body.error?.code === "invalid_request_token") return post(text, signal, true);
    throw body?.error ?? { code: "service_unavailable", message: "Something went wrong. Please try again." };
  }

  const tooLong = draft.length > props.maxInputChars;
  const canSend = Boolean(draft.trim()) && !streaming && !tooLong && !blocked;

  async function send(text = draft.trim()) {
    if (!text || streaming || blocked || text.length > props.maxInputChars) return;
    setRefusal(null);
    setDraft("");
    const replyId = crypto.randomUUID();
    const questionId = crypto.randomUUID();
    setMessages((current) => [
      ...current,
      { id: questionId, role: "user", content: text },
      { id: replyId, role: "assistant", content: "" },
    ]);
    setStreaming(true);
    scrollToBottom("auto");
    const controller = new AbortController();
    abort.current = controller;
    let createdId: string | null = null;
    try {
      const response = await post(text, controller.signal);
      for await (const event of readNdjson<ChatEvent>(response.body!)) {
        if (event.type === "start") {
          token.current = event.nextToken;
          const requestId = event.requestId; // for the reply's thumbs up / down
          setMessages((current) => current.map((message) => (message.id === replyId ? { ...message, requestId } : message)));
          if (!conversationId) createdId = event.conversationId;
          setConversationId(event.conversationId);
          touch({ id: event.conversationId, title: event.title });
        } else if (event.type === "text") appendToReply(replyId, event.text);
        else if (event.type === "error") setRefusal({ error: event.error, until: refusalEndsAt(event.error, Date.now()) });
      }
    } catch (caught) {
      if (controller.signal.aborted) {
        setMessages((current) => current.map((message) => (message.id === replyId ? { ...message, stopped: true } : message)));
      } else {
        const error: ErrorPayload = isPayload(caught)
          ? caught
          : { code: "service_unavailable", message: "The connection was lost. Please try again." };
        setRefusal({ error, until: refusalEndsAt(error, Date.now()) });
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
      if (abort.current === controller) abort.current = null;
      // The address of the new conversation, without a server round trip (the sidebar already lists it).
      if (createdId) window.history.replaceState(null, "", `/chat/${createdId}`);
      composer.current?.focus();
    }
  }

  const showCount = draft.length >= props.maxInputChars * COUNT_FROM;
  const lastId = messages.at(-1)?.id;
  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={log}
        className="min-h-0 flex-1 overflow-y-auto"
        data-testid="chat-log"
        onScroll={(event) => {
          const element = event.currentTarget;
          const near = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_THRESHOLD_PX;
          follow.current = near;
          setAtBottom(near);
        }}
      >
        <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
          {messages.length === 0 && <EmptyState disabled={blocked} onPick={(prompt) => void send(prompt)} />}
          {hasEarlier && (
            <div className="flex flex-col items-center gap-1">
              <Button type="button" variant="outline" size="sm" onClick={loadEarlier} disabled={loadingEarlier}>
                {loadingEarlier ? "Loading earlier messages…" : "Show earlier messages"}
              </Button>
              {earlierError && (
                <p role="alert" className="text-sm text-destructive">
                  {earlierError}
                </p>
              )}
            </div>
          )}
          {/* Announce replies once complete, not word by word. */}
          <div className="flex flex-col gap-6" role="log" aria-live="polite" aria-busy={streaming} aria-label="Transcript">
            {messages.map((message) =>
              message.role === "user" ? (
                <div key={message.id} className="flex justify-end" data-testid="message-user">
                  <p className="max-w-[85%] rounded-2xl rounded-br-md bg-secondary px-4 py-2.5 break-words whitespace-pre-wrap text-secondary-foreground">
                    {message.content}
                  </p>
                </div>
              ) : (
                <div key={message.id} className="group flex gap-3" data-testid="message-assistant">
                  <span className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full border bg-background" aria-hidden>
                    <SparklesIcon className="size-3.5 text-primary" />
                  </span>
                  <div className="min-w-0 flex-1">
                    {message.content ? (
                      <Suspense fallback={<p className="whitespace-pre-wrap">{message.content}</p>}>
                        <AssistantMarkdown text={message.content} />
                      </Suspense>
                    ) : streaming && message.id === lastId ? (
                      <TypingIndicator />
                    ) : null}
                    {message.stopped && <p className="mt-2 text-sm text-muted-foreground">Stopped.</p>}
                    {message.content && !(streaming && message.id === lastId) && (
                      <div className="mt-1 -ml-2 flex opacity-100 transition-opacity md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
                        <CopyButton text={() => message.content} label="Copy reply" />
                      </div>
                    )}
                    {message.requestId && message.content && !(streaming && message.id === lastId) && (
                      <FeedbackButtons requestId={message.requestId} />
                    )}
                  </div>
                </div>
              ),
            )}
          </div>
          {refusal && (
            <RefusalAlert
              key={`${refusal.error.code}${refusal.until}`}
              error={refusal.error}
              until={refusal.until}
              canUpgrade={props.canUpgrade}
            />
          )}
        </div>
      </div>

      {!atBottom && (
        <Button
          type="button"
          variant="outline"
          size="icon-sm"
          className="absolute bottom-32 left-1/2 -translate-x-1/2 rounded-full shadow-md"
          aria-label="Jump to the latest message"
          onClick={() => scrollToBottom()}
        >
          <ArrowDownIcon aria-hidden />
        </Button>
      )}

      <div className="border-t bg-background/95 px-4 pt-3 pb-[max(0.75rem,env(safe-area-inset-bottom))]">
        <form
          className="mx-auto w-full max-w-3xl"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <div
            className={cn(
              "flex items-end gap-2 rounded-2xl border border-input bg-background p-2 shadow-xs focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50 dark:bg-input/10",
              tooLong && "border-destructive",
            )}
          >
            <textarea
              ref={composer}
              name="message"
              aria-label="Message"
              aria-describedby="composer-hint"
              aria-invalid={tooLong}
              placeholder={blocked ? "Sending is paused; see the notice above." : "Send a message…"}
              rows={1}
              disabled={blocked}
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
                  event.preventDefault();
                  void send();
                }
              }}
              className="max-h-[200px] min-h-9 flex-1 resize-none bg-transparent px-2 py-1.5 text-base outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed md:text-sm"
            />
            {streaming ? (
              <Button type="button" size="icon" className="rounded-full" aria-label="Stop" onClick={() => abort.current?.abort()}>
                <SquareIcon className="fill-current" aria-hidden />
              </Button>
            ) : (
              <Button type="submit" size="icon" className="rounded-full" aria-label="Send" disabled={!canSend}>
                <ArrowUpIcon aria-hidden />
              </Button>
            )}
          </div>
          <div className="mt-1.5 flex items-center gap-2 px-2 text-xs text-muted-foreground">
            <ModelPicker models={props.models} value={model} onChange={setModel} disabled={streaming} />
            <div id="composer-hint" className="flex min-w-0 flex-1 items-center justify-between gap-2">
              <span className="hidden sm:inline">Enter to send, Shift+Enter for a new line</span>
              {showCount && (
                <span className={cn("ml-auto tabular-nums", tooLong && "font-medium text-destructive")} data-testid="char-count">
                  {draft.length.toLocaleString("en-US")} / {props.maxInputChars.toLocaleString("en-US")}
                  {tooLong && " characters: too long for your plan"}
                </span>
              )}
            </div>
          </div>
        </form>
      </div>
    </div>
  );
}

function EmptyState({ onPick, disabled }: { onPick: (prompt: string) => void; disabled: boolean }) {
  return (
    <div className="flex flex-col items-center gap-6 py-8 text-center sm:py-16">
      <span className="flex size-12 items-center justify-center rounded-full bg-accent text-accent-foreground">
        <SparklesIcon className="size-6" aria-hidden />
      </span>
      <div className="grid gap-1">
        <h2 className="text-xl font-semibold tracking-tight">How can I help?</h2>
        <p className="text-sm text-muted-foreground">Ask anything. Your conversation is saved to your account.</p>
      </div>
      <div className="grid w-full gap-2 sm:grid-cols-2">
        {SUGGESTIONS.map((prompt) => (
          <Button
            key={prompt}
            type="button"
            variant="outline"
            disabled={disabled}
            className="h-auto justify-start px-4 py-3 text-left whitespace-normal"
            onClick={() => onPick(prompt)}
          >
            {prompt}
          </Button>
        ))}
      </div>
    </div>
  );
}

function TypingIndicator() {
  return (
    <div className="flex h-7 items-center gap-1" data-testid="typing">
      <span className="sr-only">The assistant is writing</span>
      {[0, 150, 300].map((delay) => (
        <span
          key={delay}
          className="size-1.5 animate-bounce rounded-full bg-muted-foreground"
          style={{ animationDelay: `${delay}ms` }}
          aria-hidden
        />
      ))}
    </div>
  );
}

function isPayload(value: unknown): value is ErrorPayload {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}
