import "server-only";
import { after } from "next/server";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import { modelProvider } from "@/lib/ai/provider";
import { countTextTokens, type CountedMessage } from "@/lib/ai/tokens";
import type { ChatMessage, ChatModel, ChatRequest, Completion } from "@/lib/ai/types";
import { NO_USAGE, tokenUsage } from "@/lib/ai/usage";
import { AppError } from "@/lib/errors";
import type { Plan } from "@/lib/plans";
import type { SessionUser } from "@/lib/auth/session-user";
import { actionRequest, type GuardedResult } from "./action";
import { startFeatureRequest, type FeatureRequest } from "./feature-adapter";
import { handleFeatureStream, type StreamOutput } from "./feature-stream";
import { safetyIdentifier, sha256 } from "./hashing";
import { completeRequest, isUnansweredAfterSend, nextRequestToken, refuseRequest, unansweredUsage } from "./index";
import { issueRequestToken } from "./request-token";
import { storeInCache } from "./steps/cache";
import { lookupSemanticCache, storeInSemanticCache } from "@/lib/semantic/cache";

// The recipe: one `defineAIFeature({...})` puts a model call behind the whole guard. It gives a
// server action (json and text output) or a route handler (stream output) that runs the guard,
// serves cache hits, calls the model, validates the answer, stores it in the cache, settles the
// reservation and finishes the audit row on every path: refusals, provider errors, and
// exceptions thrown by the feature's own code. A feature file cannot forget any of it.
// Walkthrough: README "Add an AI feature"; example: lib/tools/rewrite.ts.

/** What the feature's own code gets after the guard: every field is there. */
export type FeatureContext<Input> = {
  requestId: string;
  user: SessionUser;
  plan: Plan;
  /** The input, parsed with the feature's schema (the one-time token is not part of it). */
  input: Input;
  /** The model the guard admitted (in the plan's allowlist). */
  model: string;
  /** What goes to the model: the server's system prompt, stored history, `buildMessages`. */
  messages: CountedMessage[];
  promptTokens: number;
  /** A stored answer for this exact request, if the feature is cached. */
  cachedAnswer: string | undefined;
  signal: AbortSignal;
};

export type FeatureDefinitionBase<Input> = {
  /** The audit log's `action`; also names the structured output's schema. */
  name: string;
  /** What the browser may send besides the one-time token: use a strict object (unknown fields are refused). */
  input: z.ZodType<Input>;
  /** off, per user, or shared across users (only for answers that reveal nothing about who asked). */
  cache: "off" | "user" | "shared";
  /**
   * Opt-in semantic cache (lib/semantic/cache.ts): on an exact miss, the stored answer of a
   * near-identical earlier request of the same scope (cosine similarity at least `threshold`,
   * default 0.95, and the same numbers, negations, quoted strings and names). Costs one
   * embedding call, reserved, settled and audited. Needs `cache` on; never with a conversation.
   */
  semanticCache?: { threshold?: number; ttlSeconds?: number };
  /** Lives on the server (lib/ai/prompts.ts); bump the version when the text changes: it is part of the cache key. */
  prompt: { version: string; system: string };
  /**
   * The request's own messages, after the system prompt (and any stored history). Only "user"
   * messages count as the user's text (the length limit, moderation, the prompt hash). A pure
   * function of the input: the guard builds it before it reads anything.
   */
  buildMessages(input: Input): ChatMessage[];
  /** The model for this request; by default the best one the plan allows. One outside the plan's list is refused. */
  model?(input: Input, plan: Plan): string;
  /** A stored conversation this request continues: the guard loads its latest messages (only the user's own). Needs `cache: "off"`. */
  conversationOf?(input: Input): string | undefined;
};

export type JsonOutput<Schema extends z.ZodType> = { type: "json"; schema: Schema };
export type TextOutput = { type: "text" };
type Definition<Input, Output, Answer> = FeatureDefinitionBase<Input> & {
  output: Output;
  /** What the demo model answers (development without OPENAI_API_KEY); say it is simulated. */
  demoAnswer(input: Input): Answer;
};
export type JsonFeatureDefinition<Input, Schema extends z.ZodType> = Definition<Input, JsonOutput<Schema>, z.output<Schema>>;
export type TextFeatureDefinition<Input> = Definition<Input, TextOutput, string>;
export type StreamFeatureDefinition<Input, Start extends object> = Definition<Input, StreamOutput<Input, Start>, string>;

/** A json or text feature: `action` is its server action (export it from a "use server" file). */
export type ActionFeature<Answer> = {
  name: string;
  action: (previous: unknown, formData: FormData) => Promise<GuardedResult<{ answer: Answer; cacheHit: boolean }>>;
  /** The same, for a request built by hand (tests). */
  run: (request: FeatureRequest) => Promise<GuardedResult<{ answer: Answer; cacheHit: boolean }>>;
};
/** A stream feature: `POST` is its route handler (`export const POST = feature.POST`). */
export type StreamFeature = {
  name: string;
  POST: (request: Request) => Promise<Response>;
  /** The same, with the caller's `defer` (tests). */
  handle: (request: Request, defer: FeatureRequest["defer"]) => Promise<Response>;
};

export function defineAIFeature<Input, Schema extends z.ZodType>(
  definition: JsonFeatureDefinition<Input, Schema>,
): ActionFeature<z.output<Schema>>;
export function defineAIFeature<Input>(definition: TextFeatureDefinition<Input>): ActionFeature<string>;
export function defineAIFeature<Input, Start extends object>(definition: StreamFeatureDefinition<Input, Start>): StreamFeature;
export function defineAIFeature<Input, Schema extends z.ZodType, Start extends object>(
  definition: JsonFeatureDefinition<Input, Schema> | TextFeatureDefinition<Input> | StreamFeatureDefinition<Input, Start>,
): ActionFeature<z.output<Schema>> | ActionFeature<string> | StreamFeature {
  // The cache key does not cover stored history: an answer that depends on it is never cached.
  if (definition.conversationOf && definition.cache !== "off")
    throw new Error(`${definition.name}: a feature that continues a conversation needs cache: "off"`);
  if (definition.semanticCache && definition.cache === "off")
    throw new Error(`${definition.name}: the semantic cache needs cache: "user" or "shared"`);
  // A streamed answer is neither read from nor stored in the cache: cache on would promise what never happens.
  if (definition.output.type === "stream" && definition.cache !== "off")
    throw new Error(`${definition.name}: a stream feature is never cached; set cache: "off"`);
  if (isStream(definition)) {
    const handle = (request: Request, defer: FeatureRequest["defer"]) => handleFeatureStream(definition, request, defer);
    return { name: definition.name, handle, POST: (request) => handle(request, (task) => after(task)) };
  }
  return isJson(definition) ? actionFeature(definition, jsonAnswers(definition)) : actionFeature(definition, textAnswers(definition));
}

function actionFeature<Input, Answer>(definition: FeatureDefinitionBase<Input>, answers: Answers<Input, Answer>): ActionFeature<Answer> {
  const run = answerWith(definition, answers);
  return { name: definition.name, run, action: async (_previous, formData) => run(await actionRequest(formData)) };
}

const isStream = <I, S extends z.ZodType, T extends object>(
  d: JsonFeatureDefinition<I, S> | TextFeatureDefinition<I> | StreamFeatureDefinition<I, T>,
): d is StreamFeatureDefinition<I, T> => d.output.type === "stream";
const isJson = <I, S extends z.ZodType>(d: JsonFeatureDefinition<I, S> | TextFeatureDefinition<I>): d is JsonFeatureDefinition<I, S> =>
  d.output.type === "json";

/** How one output type asks the model, reads an answer (validated: throws if it fails) and stores it. */
type Answers<Input, Answer> = {
  key: string;
  promptAddedText?: string;
  ask(provider: ChatModel, request: ChatRequest, input: Input): Promise<Completion>;
  read(text: string): Answer;
  write(answer: Answer): string;
};

function jsonAnswers<Input, Schema extends z.ZodType>(definition: JsonFeatureDefinition<Input, Schema>): Answers<Input, z.output<Schema>> {
  const format = zodResponseFormat(definition.output.schema, definition.name).json_schema;
  const schema = format.schema ?? {};
  return {
    // A changed schema never meets an answer stored for the old one.
    key: `json:${sha256(JSON.stringify(schema))}`,
    // The provider adds the schema to the prompt and bills it: the reservation counts it too.
    promptAddedText: JSON.stringify(schema),
    ask: (provider, request, input) =>
      provider.completeJson({ ...request, format: { name: format.name, schema }, demoAnswer: () => definition.demoAnswer(input) }),
    read(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new AppError("invalid_model_output");
      }
      const result = definition.output.schema.safeParse(value);
      if (!result.success) throw new AppError("invalid_model_output");
      return result.data;
    },
    write: (answer) => JSON.stringify(answer),
  };
}

function textAnswers<Input>(definition: TextFeatureDefinition<Input>): Answers<Input, string> {
  return {
    key: "text",
    ask: (provider, request, input) => provider.completeText({ ...request, demoAnswer: () => definition.demoAnswer(input) }),
    read(text) {
      // An empty answer (a content filter, a model that said nothing) is an error, never shown.
      if (!text.trim()) throw new AppError("invalid_model_output");
      return text;
    },
    write: (answer) => answer,
  };
}

/**
 * The whole request for a json or text feature. Once the model has answered, what it billed is
 * charged whatever happens next (a refusal, a cut-off answer, a failed or throwing validator);
 * before that, any failure releases the reservation (`refuseRequest`).
 */
function answerWith<Input, Answer>(definition: FeatureDefinitionBase<Input>, answers: Answers<Input, Answer>) {
  return async (request: FeatureRequest): Promise<GuardedResult<{ answer: Answer; cacheHit: boolean }>> => {
    const { ctx, admit } = startFeatureRequest(definition, request, answers);
    try {
      const feature = await admit();
      // The exact cache's answer, or on a miss the semantic cache's (it pays only its embedding).
      const cachedText = feature.cachedAnswer ?? (await lookupSemanticCache(ctx));
      if (cachedText !== undefined) {
        // Validated like a fresh answer; settled at zero model tokens.
        const answer = answers.read(cachedText);
        await completeRequest(ctx, { outcome: "served", usage: NO_USAGE, responseText: cachedText });
        return { ok: true, data: { answer, cacheHit: true }, nextToken: issueRequestToken(feature.user.id), requestId: ctx.requestId };
      }
      const started = performance.now();
      const completion = await answers
        .ask(
          modelProvider(feature.model),
          {
            model: feature.model,
            messages: feature.messages,
            maxOutputTokens: feature.plan.maxOutputTokens,
            safetyIdentifier: safetyIdentifier(feature.user.id),
            signal: feature.signal,
          },
          feature.input,
        )
        .catch((error: unknown) => {
          // Sent, and no answer in time: the provider may still have run and billed it.
          if (isUnansweredAfterSend(error)) ctx.billed = unansweredUsage(feature);
          throw error;
        });
      ctx.timings.upstream_total = Math.round(performance.now() - started);
      const usage =
        completion.usage ??
        tokenUsage({ uncachedInput: feature.promptTokens, output: countTextTokens(completion.refusal ?? completion.text) });
      ctx.billed = usage; // from here on a failure is charged, not released
      if (completion.refusal !== null) throw new AppError("model_refused");
      if (completion.finishReason === "length") {
        throw new AppError("invalid_model_output", {
          message: `The answer was cut off at your plan's limit of ${feature.plan.maxOutputTokens.toLocaleString("en-US")} output tokens. The attempt counts toward today's usage; try a shorter text.`,
        });
      }
      const answer = answers.read(completion.text);
      const stored = answers.write(answer);
      await storeInCache(ctx, stored);
      await storeInSemanticCache(ctx, stored);
      await completeRequest(ctx, { outcome: "served", usage, responseText: stored });
      return { ok: true, data: { answer, cacheHit: false }, nextToken: issueRequestToken(feature.user.id), requestId: ctx.requestId };
    } catch (error) {
      const appError = await refuseRequest(ctx, error);
      const nextToken = nextRequestToken(ctx);
      return { ok: false, error: appError.toPayload(), ...(nextToken && { nextToken }) };
    }
  };
}
