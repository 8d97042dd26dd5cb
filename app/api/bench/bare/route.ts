import "server-only";
import { isIPv4 } from "node:net";
import OpenAI from "openai";
import { env, isTestBuild } from "@/lib/env";

// The benchmark's floor: the same model call as the chat route with no guard at all (no
// session, no limits, no audit). It exists only when BENCH_BARE_ROUTE=on (set by `npm run
// bench`) in a build made by `npm run build:e2e` (isTestBuild, fixed at build time) AND the
// model is a server on this machine: a normal build and deploy cannot turn it on, and even then
// it could never spend money unguarded. Otherwise 404 (tests/security checks).
export const dynamic = "force-dynamic";

function modelIsLocal(): boolean {
  if (!env.OPENAI_BASE_URL) return false;
  const host = new URL(env.OPENAI_BASE_URL).hostname;
  // An IPv4 literal in 127.0.0.0/8, not a DNS name that starts with "127." (127.0.0.1.nip.io
  // resolves to anything its owner likes).
  return host === "localhost" || host === "[::1]" || (isIPv4(host) && host.startsWith("127."));
}

let client: OpenAI | undefined;

export async function POST(request: Request): Promise<Response> {
  if (!isTestBuild || env.BENCH_BARE_ROUTE !== "on" || !env.OPENAI_API_KEY || !modelIsLocal())
    return new Response("Not found", { status: 404 });
  client ??= new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
  const { message } = (await request.json()) as { message: string };
  const stream = await client.chat.completions.create(
    {
      model: "gpt-4.1-nano",
      messages: [{ role: "user", content: String(message) }],
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: request.signal },
  );
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      async start(controller) {
        for await (const chunk of stream) {
          const text = chunk.choices[0]?.delta?.content;
          if (text) controller.enqueue(encoder.encode(`${JSON.stringify({ type: "text", text })}\n`));
        }
        controller.close();
      },
    }),
    { headers: { "Content-Type": "application/x-ndjson; charset=utf-8" } },
  );
}
