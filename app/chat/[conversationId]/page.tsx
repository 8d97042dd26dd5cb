import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ChatPage } from "../chat-page";

export const metadata: Metadata = { title: "Chat" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ConversationPage({ params }: { params: Promise<{ conversationId: string }> }) {
  const { conversationId } = await params;
  if (!UUID.test(conversationId)) redirect("/chat");
  return <ChatPage conversationId={conversationId} />;
}
