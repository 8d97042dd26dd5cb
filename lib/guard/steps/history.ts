import "server-only";
import { countPromptTokens } from "@/lib/ai/tokens";
import type { GuardContext } from "../context";
import { requireInput } from "./require";

/**
 * After the rate limit, so a flood never reaches the database: the feature's stored history
 * (only the user's own), then the prompt's tokens with the model's tokenizer. Stored messages
 * bring their token count, so history is not re-tokenized on every request.
 */
export async function loadHistory(ctx: GuardContext): Promise<void> {
  const { user, input } = requireInput(ctx);
  if (ctx.feature.loadHistory) input.messages = await ctx.feature.loadHistory(input, user);
  ctx.promptTokens = countPromptTokens(input.messages, input.promptAddedText);
}
