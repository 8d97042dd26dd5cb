import "server-only";
import { z } from "zod";
import { modelFor } from "@/lib/ai/models";
import { defaultModelFor } from "@/lib/ai/offered";
import type { ChatMessage } from "@/lib/ai/types";
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
const normalizedJson = (value: unknown) =>
  JSON.stringify(value, (_key, field) => (typeof field === "string" ? normalizeText(field) : field));

/**
 * The adapter: the guard's AiFeature (parse, then build once the plan and the history are
 * known) for one request of `definition`. The parsed input is also kept in `parsed`, typed, for
 * the feature's own code after the guard.
 */
function guardFeature<Input>(
  definition: FeatureDefinitionBase<Input>,
  parsed: { current?: { input: Input } },
  output: { key: string; promptAddedText?: string },
): AiFeature<{ input: Input; built: ChatMessage[] }> {
  return {
    name: definition.name,
    cache: definition.cache,
    semanticCache: definition.semanticCache,
    parse(raw) {
      const { token, ...fields } = parseStrict(envelopeSchema, raw);
      const input = parseStrict(definition.input, fields);
      const checkedToken = parseStrict(z.object({ token: tokenSchema }), { token }).token;
      const built = definition.buildMessages(input);
      parsed.current = { input };
      return {
        token: checkedToken,
        // What the length limit, moderation, the prompt hash and the cache look at: the user's own text.
        userText: built
          .filter((message) => message.role === "user")
          .map((message) => message.content)
          .join("\n\n"),
        // The guard checks it is the user's and loads its latest messages for `build`.
        conversationId: definition.conversationOf?.(input),
        value: { input, built },
      };
    },
    build(request, plan, history) {
      const { input, built } = request.value;
      return {
        userText: request.userText,
        // The system prompt always comes from the server, first; stored history follows it.
        messages: [{ role: "system", content: definition.prompt.system }, ...history, ...built],
        promptAddedText: output.promptAddedText,
        // By default the best model the plan offers now (its provider on), the list the guard checks.
        model: definition.model?.(input, plan) ?? defaultModelFor(plan) ?? modelFor(plan),
        promptVersion: definition.prompt.version,
        // Everything that changes the answer is in the cache key: every input field, the cap, the output's shape.
        cacheParams: { input: normalizedJson(input), maxOutputTokens: plan.maxOutputTokens, output: output.key },
        // The semantic cache compares the user's text itself: its scope takes everything else (the
        // other messages are part of it too, lib/semantic/cache.ts).
        semanticParams: { maxOutputTokens: plan.maxOutputTokens, output: output.key },
        extra: {},
      };
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
  const ctx = startGuardedRequest({ ...request, feature: guardFeature(definition, parsed, output) });
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
