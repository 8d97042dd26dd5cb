import { after } from "next/server";
import { handleChatRequest } from "@/lib/chat/stream";

// POST { conversationId?, message, token } → NDJSON stream. Everything else lives in
// lib/chat/stream.ts and the guard pipeline (lib/guard).
export const dynamic = "force-dynamic";
// The platform's limit for this function (Vercel's default with Fluid compute). The stream's
// own deadline (CHAT_STREAM_DEADLINE_MS, at most 290 s) is below it, so every request ends,
// settles and is audited before the platform would kill it.
export const maxDuration = 300;

export async function POST(request: Request): Promise<Response> {
  return handleChatRequest(request, (task) => after(task));
}
