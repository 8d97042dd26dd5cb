import "server-only";
import { z } from "zod";
import { REWRITE_PROMPT } from "@/lib/ai/prompts";
import { defineAIFeature } from "@/lib/guard/feature";

// "Rewrite this text in a tone": text in, the same text in another tone out. Everything else
// (session, token, rate limits, quota, cache, moderation, settlement, audit) is the guard's.

export const REWRITE_TONES = ["friendly", "formal", "concise", "confident"] as const;

export const rewrite = defineAIFeature({
  name: "rewrite",
  // Only these fields (and the one-time token): a model, a system prompt or a tone not in the list is refused.
  input: z.strictObject({
    text: z.string().trim().min(1, "Paste some text to rewrite.").max(200_000),
    tone: z.enum(REWRITE_TONES, { error: "Pick one of the tones." }),
  }),
  cache: "user", // the same text and tone from the same user: the stored answer, at zero tokens
  // A near-identical text in the same tone gets the stored rewrite; stricter than summarize,
  // since the answer restates the text itself.
  semanticCache: { threshold: 0.97 },
  prompt: REWRITE_PROMPT,
  buildMessages: ({ text, tone }) => [
    { role: "system", content: `Tone: ${tone}` },
    { role: "user", content: text },
  ],
  output: { type: "text" },
  demoAnswer: ({ text, tone }) => `[Demo model: a real ${tone} rewrite needs OPENAI_API_KEY] ${text}`,
});
