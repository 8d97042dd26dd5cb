import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createAnthropicProvider } from "./anthropic-provider";
import { PROVIDERS, catalogueEntry, type Provider } from "./catalogue";
import { createChatCompletionsProvider } from "./chat-completions-provider";
import { demoProvider } from "./demo-provider";
import { createGeminiProvider } from "./gemini-provider";
import { createOpenAIProvider } from "./openai-provider";
import type { ChatModel, ModelProvider } from "./types";

// Which adapter serves a model: the catalogue names its provider (lib/ai/catalogue.ts), and a
// provider is on when its key is set. Demo mode (no provider key at all, not production) serves
// every model with the labelled demo model. Production never starts without a key
// (productionProblems in lib/env.ts).

/** A provider is on when its key (and, for a compatible server, its URL) is set; off otherwise. */
export function isProviderOn(provider: Provider): boolean {
  switch (provider) {
    case "openai":
      return env.OPENAI_API_KEY !== undefined;
    case "anthropic":
      return env.ANTHROPIC_API_KEY !== undefined;
    case "google":
      return env.GEMINI_API_KEY !== undefined;
    case "openai-compatible":
      return env.OPENAI_COMPATIBLE_BASE_URL !== undefined && env.OPENAI_COMPATIBLE_API_KEY !== undefined;
  }
}

export function isDemoModel(): boolean {
  return env.NODE_ENV !== "production" && !PROVIDERS.some(isProviderOn);
}

function createAdapter(provider: Provider): ChatModel {
  const timeoutMs = env.OPENAI_TIMEOUT_MS;
  switch (provider) {
    case "openai":
      return createChatCompletionsProvider({ apiKey: env.OPENAI_API_KEY!, baseURL: env.OPENAI_BASE_URL, timeoutMs });
    case "anthropic":
      return createAnthropicProvider({ apiKey: env.ANTHROPIC_API_KEY!, baseURL: env.ANTHROPIC_BASE_URL, timeoutMs });
    case "google":
      return createGeminiProvider({ apiKey: env.GEMINI_API_KEY!, baseURL: env.GEMINI_BASE_URL, timeoutMs });
    case "openai-compatible":
      return createChatCompletionsProvider({
        apiKey: env.OPENAI_COMPATIBLE_API_KEY!,
        baseURL: env.OPENAI_COMPATIBLE_BASE_URL,
        timeoutMs,
      });
  }
}

let openAIProvider: ModelProvider | undefined;
function openAI(): ModelProvider {
  return (openAIProvider ??= createOpenAIProvider({
    apiKey: env.OPENAI_API_KEY!,
    baseURL: env.OPENAI_BASE_URL,
    timeoutMs: env.OPENAI_TIMEOUT_MS,
  }));
}

const adapters = new Map<Provider, ChatModel>();

/**
 * Throws `model_unavailable` when the model's provider is off (its key is not set): the guard
 * calls it before anything is reserved. Throws for a model the catalogue does not know.
 */
export function checkModelAvailable(model: string): void {
  if (isDemoModel()) return;
  const { provider, displayName } = catalogueEntry(model);
  if (!isProviderOn(provider)) {
    throw new AppError("model_unavailable", { message: `${displayName} is not available on this server. Choose another model.` });
  }
}

/** The adapter that serves this model (the demo model in demo mode). */
export function modelProvider(model: string): ChatModel {
  if (isDemoModel()) return demoProvider;
  checkModelAvailable(model);
  const { provider } = catalogueEntry(model);
  let adapter = adapters.get(provider);
  if (!adapter) adapters.set(provider, (adapter = createAdapter(provider)));
  return adapter;
}

/**
 * The embeddings and moderation endpoints (the semantic cache, MODERATION=on): OpenAI's whichever
 * model answers, the demo's in demo mode, or null when OpenAI is off (the semantic cache is then
 * skipped; production refuses MODERATION=on without OPENAI_API_KEY).
 */
export function openAIServices(): Pick<ModelProvider, "isDemo" | "embed" | "isFlagged"> | null {
  if (isDemoModel()) return demoProvider;
  return isProviderOn("openai") ? openAI() : null;
}
