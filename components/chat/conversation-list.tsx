"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useState } from "react";
import { deleteConversationAction, renameConversationAction } from "@/app/chat/actions";
import type { ActionResult } from "@/lib/action";

type Conversation = { id: string; title: string };

export function ConversationList({ conversations, activeId }: { conversations: Conversation[]; activeId?: string }) {
  return (
    <nav className="chat-sidebar" aria-label="Conversations">
      {/* No prefetch: each chat page is a per-request server render (see app/layout.tsx). */}
      <Link href="/chat" className="button secondary" prefetch={false}>
        New chat
      </Link>
      {conversations.length === 0 ? (
        <p className="hint">No conversations yet.</p>
      ) : (
        <ul className="conversation-list">
          {conversations.map((conversation) => (
            <ConversationItem key={conversation.id} conversation={conversation} active={conversation.id === activeId} />
          ))}
        </ul>
      )}
    </nav>
  );
}

function ConversationItem({ conversation, active }: { conversation: Conversation; active: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [renameState, rename, renaming] = useActionState<ActionResult | null, FormData>(async (previous, formData) => {
    const result = await renameConversationAction(previous, formData);
    if (result.ok) setEditing(false);
    return result;
  }, null);
  const [deleteState, remove, deleting] = useActionState<ActionResult | null, FormData>(async (previous, formData) => {
    const result = await deleteConversationAction(previous, formData);
    if (result.ok && active) router.push("/chat");
    return result;
  }, null);

  const error = (renameState && !renameState.ok && renameState.error.message) || (deleteState && !deleteState.ok && deleteState.error.message);
  return (
    <li className={active ? "active" : undefined}>
      {editing ? (
        <form action={rename} className="inline-form">
          <input type="hidden" name="conversationId" value={conversation.id} />
          <input name="title" defaultValue={conversation.title} aria-label="Title" maxLength={100} autoFocus />
          <button className="button small" disabled={renaming}>
            Save
          </button>
        </form>
      ) : (
        <Link href={`/chat/${conversation.id}`} aria-current={active ? "page" : undefined} prefetch={false}>
          {conversation.title}
        </Link>
      )}
      <div className="item-actions">
        {!editing && (
          <button type="button" className="link-button" onClick={() => setEditing(true)} aria-label={`Rename ${conversation.title}`}>
            Rename
          </button>
        )}
        <form action={remove}>
          <input type="hidden" name="conversationId" value={conversation.id} />
          <button className="link-button danger" disabled={deleting} aria-label={`Delete ${conversation.title}`}>
            Delete
          </button>
        </form>
      </div>
      {error && <p className="form-error">{error}</p>}
    </li>
  );
}
