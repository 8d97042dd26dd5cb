import type { Metadata } from "next";
import { ChatPage } from "./chat-page";

export const metadata: Metadata = { title: "Chat" };

export default function NewChatPage() {
  return <ChatPage />;
}
