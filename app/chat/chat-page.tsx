import { redirect } from "next/navigation";
import { ChatSidebarSheet } from "@/components/chat/chat-sidebar-sheet";
import { ChatWindow } from "@/components/chat/chat-window";
import { ConversationList } from "@/components/chat/conversation-list";
import { ChatTitle, ConversationsProvider } from "@/components/chat/conversations-context";
import { DemoBadge } from "@/components/chat/demo-badge";
import { effectivePlan, getSubscription, getTodayUsage } from "@/db/queries/account";
import { conversationPage, listConversations, ownConversation } from "@/db/queries/conversations";
import { modelsOffered } from "@/lib/ai/offered";
import { isDemoModel } from "@/lib/ai/provider";
import { isQuotaSpent, quotaExceededError } from "@/lib/guard/steps/quota";
import { issueRequestToken } from "@/lib/guard/request-token";
import { unverifiedEmailError } from "@/lib/guard/steps/session";
import { PAID_PLANS } from "@/lib/plans";
import { getSessionUser } from "@/lib/auth/session-user";
import { isBillingConfigured } from "@/lib/stripe";

/** Shared by /chat (a new conversation) and /chat/[id]. The page is its own session boundary. */
export async function ChatPage({ conversationId }: { conversationId?: string }) {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${conversationId ? `/chat/${conversationId}` : "/chat"}`);
  const [conversations, history, own, subscription, usage] = await Promise.all([
    listConversations(user.id),
    conversationId ? conversationPage(user.id, conversationId) : Promise.resolve({ messages: [], hasEarlier: false }),
    // Asked directly, not looked up in the list: the list shows only the latest 100.
    conversationId ? ownConversation(user.id, conversationId) : Promise.resolve({ model: null }),
    getSubscription(user.id),
    getTodayUsage(user.id),
  ]);
  // Another user's (or a deleted) conversation: back to a new chat, revealing nothing.
  if (!own) redirect("/chat");
  const plan = effectivePlan(subscription);
  // The picker's list, and its first choice: the conversation's model while the plan still
  // offers it, else the best the plan offers (the server checks whatever comes back).
  const models = modelsOffered(plan);
  const initialModel = models.find((model) => model.id === own.model)?.id ?? models.at(-1)?.id ?? "";
  // What the guard would refuse the next message with, shown before the user types it.
  const refusalNow = !user.emailVerified ? unverifiedEmailError() : isQuotaSpent(plan, usage) ? quotaExceededError(plan, usage) : null;
  const list = conversations.map((conversation) => ({
    id: conversation.id,
    title: conversation.title,
    updatedAt: conversation.updatedAt.toISOString(),
  }));
  return (
    // The chat fills the screen under the header (3.5 rem and its 1 px border); only the message log scrolls.
    <ConversationsProvider initial={list} activeId={conversationId}>
      <div className="flex h-[calc(100dvh-3.5rem-1px)] min-h-0">
        <aside className="hidden w-72 shrink-0 flex-col border-r bg-muted/30 md:flex">
          <ConversationList />
        </aside>
        <section className="flex min-w-0 flex-1 flex-col" aria-label="Chat">
          <div className="flex h-12 shrink-0 items-center gap-2 border-b px-3 sm:px-4">
            <ChatSidebarSheet />
            <ChatTitle />
            {isDemoModel() && <DemoBadge />}
          </div>
          <ChatWindow
            conversationId={conversationId}
            initialMessages={history.messages}
            hasEarlier={history.hasEarlier}
            initialToken={issueRequestToken(user.id)}
            maxInputChars={plan.maxInputChars}
            models={models}
            initialModel={initialModel}
            initialRefusal={refusalNow?.toPayload() ?? null}
            canUpgrade={isBillingConfigured && plan.id !== PAID_PLANS.at(-1)?.id}
          />
        </section>
      </div>
    </ConversationsProvider>
  );
}
