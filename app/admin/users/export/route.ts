import { effectivePlan } from "@/db/queries/account";
import { listConsoleUsers, type ConsoleUser } from "@/db/queries/console";
import { adminCsvExport } from "@/lib/admin-export";
import { roleFor } from "@/lib/auth/roles";
import { describePlanStatus } from "@/lib/billing/plan-status";
import { parseUserView } from "@/lib/console-view";
import { csvUsd, offsetPages, type CsvColumns } from "@/lib/http/csv";

// The users view's rows (its search, in its order) as CSV.

const PAGE_SIZE = 500;

const COLUMNS: CsvColumns<ConsoleUser> = [
  ["user_id", (row) => row.id],
  ["email", (row) => row.email],
  ["email_verified", (row) => row.emailVerified !== null],
  ["admin", (row) => roleFor(row.email, row.emailVerified !== null) === "admin"],
  ["plan", (row) => effectivePlan(row.subscription).id],
  ["billing", (row) => describePlanStatus(row.subscription)],
  ["blocked_at", (row) => row.blockedAt?.toISOString()],
  ["created_at", (row) => row.createdAt.toISOString()],
  ["today_requests", (row) => row.todayRequests],
  ["today_tokens", (row) => row.todayTokens],
  ["cost_30d_usd", (row) => csvUsd(row.costMicros30d)],
];

export const GET = adminCsvExport("users", COLUMNS, (params) => {
  const { search, sort } = parseUserView(params);
  return offsetPages(
    async (offset, limit) => (await listConsoleUsers({ search, sort, page: offset / limit, pageSize: limit })).users,
    PAGE_SIZE,
  );
});
