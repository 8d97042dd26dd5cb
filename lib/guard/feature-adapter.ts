import "server-only";
import { z } from "zod";
import { isOwnConversation, recentMessages } from "@/db/queries/conversations";
import { modelFor } from "@/lib/ai/models";
import { HISTORY_MESSAGES } from "@/lib/ai/prompts";
import { AppError } from "@/lib/errors";
import type { FeatureContext, FeatureDefinitionBase } from "./feature";
import { normalizeText } from "./steps/cache";
import { admitRequest, startGuardedRequest, type AiFeature, type GuardContext } from "./index";
import { parseStrict } from "./parse-strict";

// Where a feature definition (lib/guard/feature.ts) meets the guard pipeline (lib/guard/index.ts).
// The ONE mapping from what a founder writes onto the guard's own AiFeature and context: when
// the guard's internals change, this file changes, and no feature file does.

/** A request as the guard reads it: from a server action's form, or the stream route's body. */
export type FeatureRequest = {
  raw: unknown;
  /** Reads the body when the input step runs (the stream route reads it only after the session step). */
  readRaw?: () => Promise<unknown>;
  headers: Headers;
  signal: AbortSignal;
  /** Runs work after the response (Next's `after()`; tests pass their own). */
  defer: (task: () => Promise<void>) => void;
};

// The one-time request token travels beside the feature's own fields; the feature never sees it.
const tokenSchema = z.string().min(1).max(200);
const envelopeSchema = z.looseObject({ token: z.unknown() });

/** Every string trimmed and whitespace-collapsed: the cache treats trivially different copies alike. */
const normalizedJson = (value: unknown) => JSON.stringify(value, (_key, field) => (typeof field === "string" ? normalizeText(field) : field));

/**
 * The adapter: the guard's AiFeature for one request of `definition`. The parsed input is kept
 * in `parsed` (typed, for the feature's own code after the guard).
 */
function guardFeature<Input>(definition: FeatureDefinitionBase<Input>, parsed: { current?: { input: Input } }, outputKey: string, promptAddedText?: string): AiFeature {
  return {
    name: definition.name,
    cache: definition.cache,
    async prepare(raw, _user, plan) {
      const { token, ...fields } = parseStrict(envelopeSchema, raw);
      const input = parseStrict(definition.input, fields);
      const tokenText = parseStrict(z.object({ token: tokenSchema }), { token }).token;
      const built = definition.buildMessages(input);
      parsed.current = { input };
      return {
        token: tokenText,
        // What the length limit, moderation and the prompt hash look at: the user's own text.
        userText: built.filter((message) => message.role === "user").map((message) => message.content).join("\n\n"),
        // The system prompt always comes from the server, first; stored history follows it.
        messages: [{ role: "system", content: definition.prompt.system }, ...built],
        promptAddedText,
        model: definition.model?.(input, plan) ?? modelFor(plan),
        promptVersion: definition.prompt.version,
        // Everything that changes the answer is in the cache key: every input field, the cap, the output's shape.
        cacheParams: { input: normalizedJson(input), maxOutputTokens: plan.maxOutputTokens, output: outputKey },
        extra: {},
      };
    },
    // After the rate limit: the conversation's latest messages, only if it is the user's own.
    async loadHistory(prepared, user) {
      const conversationId = parsed.current && definition.conversationOf?.(parsed.current.input);
      if (!conversationId) return prepared.messages;
      const [owned, history] = await Promise.all([isOwnConversation(user.id, conversationId), recentMessages(user.id, conversationId, HISTORY_MESSAGES)]);
      if (!owned) throw new AppError("not_found", { message: "Conversation not found." });
      const stored = history.map((message) => ({ role: message.role, content: message.content, tokens: message.tokenCount }));
      return [...prepared.messages.slice(0, 1), ...stored, ...prepared.messages.slice(1)];
    },
  };
}

/** The guard's context, started: its audit row is promised now and written after the response. */
export function startFeatureRequest<Input>(
  definition: FeatureDefinitionBase<Input>,
  request: FeatureRequest,
  output: { key: string; promptAddedText?: string },
) {
  const parsed: { current?: { input: Input } } = {};
  const ctx = startGuardedRequest({ ...request, feature: guardFeature(definition, parsed, output.key, output.promptAddedText) });
  return {
    ctx,
    /** Runs every guard step (throws the first refusal); then the feature's context, every field present. */
    async admit(): Promise<FeatureContext<Input>> {
      await admitRequest(ctx);
      return admitted(ctx, parsed.current);
    },
  };
}

function admitted<Input>(ctx: GuardContext, parsed: { input: Input } | undefined): FeatureContext<Input> {
  const { user, plan, input: prepared } = ctx;
  if (!user || !plan || !prepared || !parsed) throw new Error("the guard admitted a request without its user, plan or input");
  return {
    requestId: ctx.requestId,
    user,
    plan,
    input: parsed.input,
    model: prepared.model,
    messages: prepared.messages,
    promptTokens: ctx.promptTokens ?? 0,
    cachedAnswer: ctx.cachedAnswer,
    signal: ctx.signal,
  };
}
