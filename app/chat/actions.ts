"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { conversationPage, deleteConversation, renameConversation } from "@/db/queries/conversations";
import { userAction } from "@/lib/http/server-action";
import { AppError } from "@/lib/errors";

// Conversation management. Every query filters on the signed-in user's id, so another user's
// conversation id simply matches nothing (not_found), whoever sends it.

const renameSchema = z.object({
  conversationId: z.uuid(),
  title: z.string().trim().min(1, "Give it a title.").max(100, "Use at most 100 characters."),
});

export const renameConversationAction = userAction(renameSchema, async (input, user) => {
  if (!(await renameConversation(user.id, input.conversationId, input.title)))
    throw new AppError("not_found", { message: "Conversation not found." });
  revalidatePath("/chat", "layout");
  return null;
});

const deleteSchema = z.object({ conversationId: z.uuid() });

export const deleteConversationAction = userAction(deleteSchema, async (input, user) => {
  if (!(await deleteConversation(user.id, input.conversationId))) throw new AppError("not_found", { message: "Conversation not found." });
  revalidatePath("/chat", "layout");
  return null;
});

const earlierSchema = z.object({ conversationId: z.uuid(), before: z.uuid() });

/** The page of messages before `before` (the chat page shows the latest CHAT_PAGE_SIZE first). */
export const loadEarlierMessagesAction = userAction(earlierSchema, async (input, user) => {
  const page = await conversationPage(user.id, input.conversationId, { before: input.before });
  if (page.messages.length === 0 && !page.hasEarlier) throw new AppError("not_found", { message: "No earlier messages." });
  return page;
});
