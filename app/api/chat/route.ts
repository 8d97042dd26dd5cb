import { after } from "next/server";
import { handleChatRequest } from "@/lib/chat/stream";

// POST { conversationId?, message, token } → NDJSON stream. Everything else lives in
// lib/chat/stream.ts and the guard pipeline (lib/guard).
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleChatRequest(request, (task) => after(task));
}
