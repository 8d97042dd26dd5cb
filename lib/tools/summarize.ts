import "server-only";
import { z } from "zod";
import { modelFor } from "@/lib/ai/models";
import { defaultModelFor } from "@/lib/ai/offered";
import { SUMMARIZE_PROMPT } from "@/lib/ai/prompts";
import { defineAIFeature } from "@/lib/guard/feature";

// The structured tool: text in, {title, bullets[], sentiment} out, through OpenAI structured
// outputs and validated again with zod by the recipe. An answer that fails the schema is an
// error, never shown raw. Cached per user: identical input gets the stored answer at zero tokens.

const summarySchema = z.strictObject({
  title: z.string().min(1).max(200),
  bullets: z.array(z.string().min(1).max(500)).min(1).max(8),
  sentiment: z.enum(["positive", "neutral", "negative"]),
});
export type Summary = z.infer<typeof summarySchema>;

export const summarize = defineAIFeature({
  name: "summarize",
  input: z.strictObject({
    text: z.string().trim().min(1, "Paste some text to summarize.").max(200_000),
    // Optional: any model the plan allows; anything else is refused by the guard.
    model: z.string().max(64).optional(),
  }),
  cache: "user",
  // A near-identical text gets the stored summary (lib/semantic/cache.ts).
  semanticCache: { threshold: 0.95 },
  prompt: SUMMARIZE_PROMPT,
  model: (input, plan) => input.model || defaultModelFor(plan) || modelFor(plan),
  buildMessages: (input) => [{ role: "user", content: input.text }],
  output: { type: "json", schema: summarySchema },
  demoAnswer(input): Summary {
    const words = input.text.split(/\s+/).filter(Boolean);
    return {
      title: `[Demo model] ${words.slice(0, 5).join(" ")}`.slice(0, 200),
      bullets: ["Simulated summary: set OPENAI_API_KEY for a real one.", `The text has ${words.length} words.`],
      sentiment: "neutral",
    };
  },
});
