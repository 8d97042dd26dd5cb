import "server-only";
import { openAIServices } from "@/lib/ai/provider";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { GuardContext } from "../context";

/** OpenAI's moderation endpoint on the user's text, when MODERATION=on. */
export async function moderateInput(ctx: GuardContext): Promise<void> {
  if (env.MODERATION !== "on" || ctx.cachedAnswer !== undefined) return;
  // Off when OpenAI is (production refuses MODERATION=on without OPENAI_API_KEY: lib/env.ts).
  const provider = openAIServices();
  if (!provider || provider.isDemo) return;
  const input = ctx.input;
  if (!input) throw new Error("guard step ran before the lookup step");
  if (await provider.isFlagged(input.userText, ctx.signal)) throw new AppError("moderated");
}
