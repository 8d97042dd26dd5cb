import "server-only";
import { env } from "@/lib/env";

// The benchmark's floor of floors: what Next.js itself costs for a POST that answers a fixed
// NDJSON reply (no session, no store, no model). `npm run bench` compares a cache hit with it.
// Mounted only with BENCH_BARE_ROUTE=on, like /api/bench/bare; it spends nothing, but a
// production deployment has no use for it (production refuses to start with the flag on
// unless the model is a server on the same machine).
export const dynamic = "force-dynamic";

const REPLY = `${JSON.stringify({ type: "text", text: "A constant answer." })}\n${JSON.stringify({ type: "done" })}\n`;

export async function POST(request: Request): Promise<Response> {
  if (env.BENCH_BARE_ROUTE !== "on") return new Response("Not found", { status: 404 });
  await request.text(); // read the body, as every other route does
  return new Response(REPLY, { headers: { "Content-Type": "application/x-ndjson; charset=utf-8" } });
}
