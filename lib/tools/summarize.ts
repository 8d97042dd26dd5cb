import "server-only";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { modelFor } from "@/lib/ai/models";
import { SUMMARIZE_PROMPT } from "@/lib/ai/prompts";
import { modelProvider } from "@/lib/ai/provider";
import { countTextTokens } from "@/lib/ai/tokens";
import { AppError } from "@/lib/errors";
import { completeRequest, type AiFeature, type GuardContext } from "@/lib/guard";
import { safetyIdentifier } from "@/lib/guard/hashing";
import { parseStrict } from "@/lib/guard/parse-strict";
import { storeInCache } from "@/lib/guard/steps/cache";
import { lookupSemanticCache, storeInSemanticCache } from "@/lib/semantic/cache";

// The structured tool: text in, {title, bullets[], sentiment} out, through OpenAI structured
// outputs and validated again with zod here. An answer that fails the schema is an error,
// never shown raw. Cached per user: identical input gets the stored answer at zero tokens; a
// near-identical one (the semantic cache) for the price of an embedding.

export const summarySchema = z.strictObject({
  title: z.string().min(1).max(200),
  bullets: z.array(z.string().min(1).max(500)).min(1).max(8),
  sentiment: z.enum(["positive", "neutral", "negative"]),
});
export type Summary = z.infer<typeof summarySchema>;

const RESPONSE_FORMAT = zodResponseFormat(summarySchema, "summary");
const RESPONSE_SCHEMA = RESPONSE_FORMAT.json_schema.schema ?? {};

const summarizeRequestSchema = z.strictObject({
  text: z.string().trim().min(1, "Paste some text to summarize.").max(200_000),
  token: z.string().min(1).max(200),
  // Optional: any model the plan allows; anything else is refused by the input step.
  model: z.string().max(64).optional(),
});

// The provider adds the schema to the prompt and bills it: the reservation counts it too.
const PROMPT_ADDED_TEXT = JSON.stringify(RESPONSE_SCHEMA);

export const summarizeFeature: AiFeature<{ model?: string }> = {
  name: "summarize",
  cache: "user",
  semanticCache: { threshold: 0.95 },
  parse(raw) {
    const request = parseStrict(summarizeRequestSchema, raw);
    return { token: request.token, userText: request.text, value: { model: request.model || undefined } };
  },
  build(request, plan) {
    return {
      userText: request.userText,
      messages: [
        { role: "system", content: SUMMARIZE_PROMPT.system },
        { role: "user", content: request.userText },
      ],
      promptAddedText: PROMPT_ADDED_TEXT,
      model: request.value.model ?? modelFor(plan),
      promptVersion: SUMMARIZE_PROMPT.version,
      cacheParams: { maxOutputTokens: plan.maxOutputTokens, format: "summary-v1" },
      extra: {},
    };
  },
};

function demoSummary(text: string): Summary {
  const words = text.split(/\s+/).filter(Boolean);
  return {
    title: `[Demo model] ${words.slice(0, 5).join(" ")}`.slice(0, 200),
    bullets: [`Simulated summary: set OPENAI_API_KEY for a real one.`, `The text has ${words.length} words.`],
    sentiment: "neutral",
  };
}

function parseSummary(text: string): Summary | null {
  try {
    const result = summarySchema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/**
 * Steps 8 and 9 for the tool: the cache's answer, or the model's once it passes the schema.
 * Once the model has answered, what it billed is charged even when the answer is refused,
 * cut off or fails the schema (a prompt engineered to fail validation is not free).
 */
export async function runSummarize(ctx: GuardContext): Promise<{ summary: Summary; cacheHit: boolean }> {
  const { user, plan, input } = ctx as Required<Pick<GuardContext, "user" | "plan" | "input">> & GuardContext;
  const cachedText = ctx.cachedAnswer ?? (await lookupSemanticCache(ctx));
  if (cachedText !== undefined) {
    const cached = parseSummary(cachedText);
    if (cached) {
      await completeRequest(ctx, { outcome: "served", usage: { inputTokens: 0, outputTokens: 0 }, responseText: cachedText });
      return { summary: cached, cacheHit: true };
    }
  }
  const started = performance.now();
  const answer = await modelProvider().completeJson({
    model: input.model,
    messages: input.messages,
    maxOutputTokens: plan.maxOutputTokens,
    safetyIdentifier: safetyIdentifier(user.id),
    signal: ctx.signal,
    format: { name: "summary", schema: RESPONSE_SCHEMA },
    demoAnswer: demoSummary(input.userText),
  });
  ctx.timings.upstream_total = Math.round(performance.now() - started);
  const usage = answer.usage ?? { inputTokens: ctx.promptTokens ?? 0, outputTokens: countTextTokens(answer.refusal ?? answer.text) };
  ctx.billed = usage; // from here on a failure is charged, not released (refuseRequest)
  if (answer.refusal !== null) throw new AppError("model_refused");
  if (answer.finishReason === "length") {
    throw new AppError("invalid_model_output", {
      message: `The answer was cut off at your plan's limit of ${plan.maxOutputTokens.toLocaleString("en-US")} output tokens. The attempt counts toward today's usage; try a shorter text.`,
    });
  }
  const summary = parseSummary(answer.text);
  if (!summary) throw new AppError("invalid_model_output");
  const stored = JSON.stringify(summary);
  await storeInCache(ctx, stored);
  await storeInSemanticCache(ctx, stored);
  await completeRequest(ctx, { outcome: "served", usage, responseText: stored });
  return { summary, cacheHit: false };
}
