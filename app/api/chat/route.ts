import { chat } from "@/lib/chat/feature";

// POST { conversationId?, message, token } → NDJSON stream: the chat feature (lib/chat/feature.ts)
// behind the guard, through the recipe (lib/guard/feature.ts).
export const dynamic = "force-dynamic";
// The platform's limit for this function (Vercel's default with Fluid compute). The stream's
// own deadline (CHAT_STREAM_DEADLINE_MS, at most 290 s) is below it, so every request ends,
// settles and is audited before the platform would kill it.
export const maxDuration = 300;

export const POST = chat.POST;
