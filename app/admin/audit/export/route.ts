import { allAuditRows, type AuditListRow } from "@/db/queries/console";
import { adminOrNull } from "@/lib/auth/admin";
import { parseAuditFilters } from "@/lib/audit-filters";
import { csvField } from "@/lib/http/csv";

// The audit browser's filtered rows as CSV, streamed page by page (never all in memory).
// Admins only: anyone else gets the same 404 as for the console's pages.

const COLUMNS: Array<[string, (row: AuditListRow) => unknown]> = [
  ["id", (row) => row.id],
  ["created_at", (row) => row.createdAt.toISOString()],
  ["request_id", (row) => row.requestId],
  ["user_id", (row) => row.userId],
  ["email", (row) => row.email],
  ["feature", (row) => row.action],
  ["outcome", (row) => row.outcome],
  ["model", (row) => row.model],
  ["input_tokens", (row) => row.inputTokens],
  ["output_tokens", (row) => row.outputTokens],
  ["cost_usd", (row) => (row.costMicros / 1_000_000).toFixed(6)],
  ["cache_hit", (row) => row.cacheHit],
  ["latency_ms", (row) => row.latencyMs],
  ["ip_hash", (row) => row.ipHash],
];

export async function GET(request: Request): Promise<Response> {
  if (!(await adminOrNull())) return new Response("Not found", { status: 404 });
  const filters = parseAuditFilters(Object.fromEntries(new URL(request.url).searchParams));
  const encoder = new TextEncoder();
  const pages = allAuditRows(filters);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${COLUMNS.map(([name]) => name).join(",")}\r\n`));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(
        encoder.encode(next.value.map((row) => `${COLUMNS.map(([, read]) => csvField(read(row))).join(",")}\r\n`).join("")),
      );
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
