import "server-only";
import { env } from "@/lib/env";
import { demoProvider } from "./demo-provider";
import { createOpenAIProvider } from "./openai-provider";
import type { Provider } from "./catalogue";
import type { ModelProvider } from "./types";

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

// OpenAI (or an OpenAI-compatible server) when a key is set; the labelled demo model in
// development otherwise. Production never gets here without a key (instrumentation.ts).
function chooseProvider(): ModelProvider {
  if (env.OPENAI_API_KEY) {
    return createOpenAIProvider({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, timeoutMs: env.OPENAI_TIMEOUT_MS });
  }
  if (env.NODE_ENV === "production") throw new Error("OPENAI_API_KEY is required in production");
  return demoProvider;
}

let provider: ModelProvider | undefined;

export function modelProvider(): ModelProvider {
  return (provider ??= chooseProvider());
}

export function isDemoModel(): boolean {
  return !env.OPENAI_API_KEY && env.NODE_ENV !== "production";
}
