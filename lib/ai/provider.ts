import "server-only";
import { env } from "@/lib/env";
import { demoProvider } from "./demo-provider";
import { createOpenAIProvider } from "./openai-provider";
import type { ModelProvider } from "./types";

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
