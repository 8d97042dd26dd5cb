import { redirect } from "next/navigation";
import { ChatWindow } from "@/components/chat/chat-window";
import { ConversationList } from "@/components/chat/conversation-list";
import { DemoBanner } from "@/components/chat/demo-banner";
import { conversationMessages, isOwnConversation, listConversations } from "@/db/queries/conversations";
import { isDemoModel } from "@/lib/ai/provider";
import { issueRequestToken } from "@/lib/guard/request-token";
import { getSessionUser } from "@/lib/session";

/** Shared by /chat (a new conversation) and /chat/[id]. The page is its own session boundary. */
export async function ChatPage({ conversationId }: { conversationId?: string }) {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${conversationId ? `/chat/${conversationId}` : "/chat"}`);
  const [conversations, history, isOwn] = await Promise.all([
    listConversations(user.id),
    conversationId ? conversationMessages(user.id, conversationId) : Promise.resolve([]),
    // Asked directly, not looked up in the list: the list shows only the latest 100.
    conversationId ? isOwnConversation(user.id, conversationId) : Promise.resolve(true),
  ]);
  // Another user's (or a deleted) conversation: back to a new chat, revealing nothing.
  if (!isOwn) redirect("/chat");
  return (
    <div className="chat-layout">
      <ConversationList conversations={conversations} activeId={conversationId} />
      <section className="chat-main" aria-label="Chat">
        {isDemoModel() && <DemoBanner />}
        <ChatWindow
          key={conversationId ?? "new"}
          conversationId={conversationId}
          initialMessages={history.map((message) => ({ id: message.id, role: message.role, content: message.content }))}
          initialToken={issueRequestToken(user.id)}
        />
      </section>
    </div>
  );
}
