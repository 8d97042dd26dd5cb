import { allAuditRows, type AuditListRow } from "@/db/queries/console";
import { adminCsvExport } from "@/lib/admin-export";
import { parseAuditFilters } from "@/lib/audit-filters";
import { csvUsd, type CsvColumns } from "@/lib/http/csv";

// The audit browser's filtered rows as CSV, in the view's order, a cursor page at a time.

const COLUMNS: CsvColumns<AuditListRow> = [
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
  ["cost_usd", (row) => csvUsd(row.costMicros)],
  ["cache_hit", (row) => row.cacheHit],
  ["latency_ms", (row) => row.latencyMs],
  ["ip_hash", (row) => row.ipHash],
];

export const GET = adminCsvExport("audit", COLUMNS, (params) => allAuditRows(parseAuditFilters(params)));
