"use client";

import { createContext, useContext, useState } from "react";

export type Conversation = { id: string; title: string; updatedAt: string };

type ConversationsState = {
  conversations: Conversation[];
  activeId?: string;
  /** A message was just sent in this conversation (new or not): it moves to the top and becomes the open one. */
  touch: (conversation: { id: string; title: string }) => void;
};

const ConversationsContext = createContext<ConversationsState | null>(null);

/**
 * The sidebar's list, shared by the desktop sidebar, the phone sheet, the title bar and the chat
 * window. Sending a message updates it here instead of re-rendering the page from the server:
 * a new conversation moves the URL from /chat to /chat/[id], another route, and a server
 * re-render there would remount the chat window and lose a message sent meanwhile. Renames
 * and deletes (server actions) re-render the page, and the list follows the server again.
 */
export function ConversationsProvider({
  initial,
  activeId,
  children,
}: {
  initial: Conversation[];
  activeId?: string;
  children: React.ReactNode;
}) {
  const [server, setServer] = useState({ initial, activeId });
  const [conversations, setConversations] = useState(initial);
  const [active, setActive] = useState(activeId);
  if (server.initial !== initial || server.activeId !== activeId) {
    setServer({ initial, activeId });
    setConversations(initial);
    setActive(activeId);
  }
  const touch = ({ id, title }: { id: string; title: string }) => {
    setActive(id);
    setConversations((current) => {
      const existing = current.find((conversation) => conversation.id === id);
      const updated = { id, title: existing?.title ?? title, updatedAt: new Date().toISOString() };
      return [updated, ...current.filter((conversation) => conversation.id !== id)];
    });
  };
  return <ConversationsContext value={{ conversations, activeId: active, touch }}>{children}</ConversationsContext>;
}

export function useConversations(): ConversationsState {
  const state = useContext(ConversationsContext);
  if (!state) throw new Error("useConversations outside ConversationsProvider");
  return state;
}

/** The open conversation's title in the chat's top bar. */
export function ChatTitle() {
  const { conversations, activeId } = useConversations();
  return (
    <h1 className="min-w-0 flex-1 truncate text-sm font-medium">
      {conversations.find((conversation) => conversation.id === activeId)?.title ?? "New chat"}
    </h1>
  );
}
