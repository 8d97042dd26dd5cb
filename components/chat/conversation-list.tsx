"use client";

import { EllipsisIcon, PencilIcon, SquarePenIcon, Trash2Icon } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useState } from "react";
import { notify } from "@/lib/notify";
import { deleteConversationAction, renameConversationAction } from "@/app/chat/actions";
import { buttonVariants } from "@/components/ui/button";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Field, FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useIsClient } from "@/hooks/use-countdown";
import type { ActionResult } from "@/lib/http/server-action";
import { cn } from "@/lib/utils";
import { useConversations, type Conversation } from "./conversations-context";

type Pending = { mode: "rename" | "delete"; conversation: Conversation } | null;

const DAY_MS = 86_400_000;

/** Today, Yesterday, Previous 7 days, Previous 30 days, then by month: in the reader's time zone once hydrated. */
export function groupByDate(conversations: Conversation[], now: Date, timeZone?: string): Array<{ label: string; items: Conversation[] }> {
  const dayNumber = (date: Date) => {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
    return Math.floor(Date.parse(`${parts}T00:00:00Z`) / DAY_MS);
  };
  const today = dayNumber(now);
  const groups = new Map<string, Conversation[]>();
  for (const conversation of conversations) {
    const updated = new Date(conversation.updatedAt);
    const age = today - dayNumber(updated);
    const label =
      age <= 0
        ? "Today"
        : age === 1
          ? "Yesterday"
          : age <= 7
            ? "Previous 7 days"
            : age <= 30
              ? "Previous 30 days"
              : updated.toLocaleDateString("en-US", { timeZone, month: "long", year: "numeric" });
    groups.set(label, [...(groups.get(label) ?? []), conversation]);
  }
  return Array.from(groups, ([label, items]) => ({ label, items }));
}

/** The chat's sidebar: New chat, then conversations grouped by date, each with a ⋯ menu (rename, delete). */
export function ConversationList({ onNavigate }: { onNavigate?: () => void }) {
  const { conversations, activeId } = useConversations();
  // The server groups in UTC; after hydration the list regroups in the reader's time zone.
  const isClient = useIsClient();
  const groups = groupByDate(conversations, new Date(), isClient ? undefined : "UTC");
  const [pending, setPending] = useState<Pending>(null);
  return (
    <nav className="flex min-h-0 flex-1 flex-col" aria-label="Conversations">
      <div className="p-3">
        {/* No prefetch: each chat page is a per-request server render. */}
        <Link
          href="/chat"
          prefetch={false}
          onClick={onNavigate}
          className={cn(buttonVariants({ variant: "outline" }), "w-full justify-start")}
        >
          <SquarePenIcon aria-hidden /> New chat
        </Link>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-3 pb-4">
        {conversations.length === 0 ? (
          <p className="px-2 py-4 text-sm text-muted-foreground">No conversations yet.</p>
        ) : (
          groups.map((group) => (
            <section key={group.label} className="mb-4" aria-label={group.label}>
              <h2 className="px-2 pb-1 text-xs font-medium text-muted-foreground">{group.label}</h2>
              <ul className="flex flex-col gap-0.5">
                {group.items.map((conversation) => (
                  <ConversationItem
                    key={conversation.id}
                    conversation={conversation}
                    active={conversation.id === activeId}
                    onNavigate={onNavigate}
                    onAction={(mode) => setPending({ mode, conversation })}
                  />
                ))}
              </ul>
            </section>
          ))
        )}
      </div>
      <RenameDialog pending={pending?.mode === "rename" ? pending.conversation : null} onDone={() => setPending(null)} />
      <DeleteDialog
        pending={pending?.mode === "delete" ? pending.conversation : null}
        activeId={activeId}
        onDone={() => setPending(null)}
      />
    </nav>
  );
}

const menuButtonId = (conversationId: string) => `conversation-menu-${conversationId}`;

/** After a dialog closes, focus goes back to the ⋯ button it came from (or New chat if that row is gone). */
function returnFocus(conversationId: string) {
  return (event: Event) => {
    event.preventDefault();
    const button =
      document.getElementById(menuButtonId(conversationId)) ?? document.querySelector<HTMLElement>('nav[aria-label="Conversations"] a');
    button?.focus();
  };
}

function ConversationItem(props: {
  conversation: Conversation;
  active: boolean;
  onNavigate?: () => void;
  onAction: (mode: "rename" | "delete") => void;
}) {
  const { conversation, active } = props;
  return (
    <li className={cn("group relative flex min-w-0 items-center rounded-md hover:bg-accent", active && "bg-accent")}>
      <Link
        href={`/chat/${conversation.id}`}
        prefetch={false}
        onClick={props.onNavigate}
        aria-current={active ? "page" : undefined}
        title={conversation.title}
        className={cn(
          "min-w-0 flex-1 truncate rounded-md py-2 pr-9 pl-2 text-sm",
          active ? "font-medium text-accent-foreground" : "text-foreground",
        )}
      >
        {conversation.title}
      </Link>
      {/* Not modal: the rename / delete dialog opens from it, and a modal menu would fight the dialog for focus. */}
      <DropdownMenu modal={false}>
        <DropdownMenuTrigger
          id={menuButtonId(conversation.id)}
          className="absolute right-1 flex size-7 items-center justify-center rounded-md text-muted-foreground opacity-100 hover:bg-background hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100"
          aria-label={`Options for ${conversation.title}`}
        >
          <EllipsisIcon className="size-4" aria-hidden />
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" side="bottom">
          <DropdownMenuItem onSelect={() => props.onAction("rename")}>
            <PencilIcon aria-hidden /> Rename
          </DropdownMenuItem>
          <DropdownMenuItem variant="destructive" onSelect={() => props.onAction("delete")}>
            <Trash2Icon aria-hidden /> Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </li>
  );
}

function RenameDialog({ pending, onDone }: { pending: Conversation | null; onDone: () => void }) {
  // Kept while the dialog animates out, so its content does not vanish first.
  const [shown, setShown] = useState<Conversation | null>(pending);
  if (pending && pending !== shown) setShown(pending);
  return (
    <Dialog open={Boolean(pending)} onOpenChange={(open) => !open && onDone()}>
      <DialogContent onCloseAutoFocus={shown ? returnFocus(shown.id) : undefined}>
        <DialogHeader>
          <DialogTitle>Rename conversation</DialogTitle>
          <DialogDescription>Give it a title you will recognise in the list.</DialogDescription>
        </DialogHeader>
        {shown && <RenameForm key={shown.id} conversation={shown} onDone={onDone} />}
      </DialogContent>
    </Dialog>
  );
}

function RenameForm({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const [state, rename] = useActionState<ActionResult | null, FormData>(async (previous, formData) => {
    const result = await renameConversationAction(previous, formData);
    if (result.ok) {
      notify("Conversation renamed");
      onDone();
    }
    return result;
  }, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={rename} className="grid gap-4" noValidate>
      <input type="hidden" name="conversationId" value={conversation.id} />
      <Field name="title" label="Title" defaultValue={conversation.title} errors={error?.fieldErrors?.title} />
      {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
      <DialogFooter>
        <DialogClose asChild>
          <Button type="button" variant="outline">
            Cancel
          </Button>
        </DialogClose>
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </DialogFooter>
    </form>
  );
}

function DeleteDialog({ pending, activeId, onDone }: { pending: Conversation | null; activeId?: string; onDone: () => void }) {
  const router = useRouter();
  const [shown, setShown] = useState<Conversation | null>(pending);
  if (pending && pending !== shown) setShown(pending);
  const [state, remove] = useActionState<ActionResult | null, FormData>(async (previous, formData) => {
    const result = await deleteConversationAction(previous, formData);
    if (result.ok) {
      notify("Conversation deleted");
      onDone();
      if (formData.get("conversationId") === activeId) router.push("/chat");
    }
    return result;
  }, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <Dialog open={Boolean(pending)} onOpenChange={(open) => !open && onDone()}>
      <DialogContent onCloseAutoFocus={shown ? returnFocus(shown.id) : undefined}>
        <DialogHeader>
          <DialogTitle>Delete this conversation?</DialogTitle>
          <DialogDescription className="break-words">
            &ldquo;{shown?.title}&rdquo; and all its messages will be deleted. This cannot be undone.
          </DialogDescription>
        </DialogHeader>
        <form action={remove} className="grid gap-4">
          <input type="hidden" name="conversationId" value={shown?.id ?? ""} />
          {error && <FormMessage tone="error">{error.message}</FormMessage>}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <SubmitButton variant="destructive" pendingText="Deleting…">
              Delete
            </SubmitButton>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
