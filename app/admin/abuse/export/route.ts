import { refusalLeaders, type RefusalCount } from "@/db/queries/console";
import { adminCsvExport } from "@/lib/admin-export";
import { ABUSE_WINDOWS, parseAbuseView } from "@/lib/console-view";
import { offsetPages, type CsvColumns } from "@/lib/http/csv";

// The abuse view's rows (its grouping and window, in its order) as CSV: every group, not one page.

const COLUMNS: CsvColumns<RefusalCount> = [
  ["key", (row) => row.key],
  ["email", (row) => row.email],
  ["refusals", (row) => row.refusals],
  ["accounts", (row) => row.users],
  ["latest_at", (row) => row.lastAt.toISOString()],
  [
    "by_outcome",
    (row) =>
      Object.entries(row.byOutcome)
        .map(([outcome, n]) => `${outcome}=${n}`)
        .join("; "),
  ],
];

export const GET = adminCsvExport("abuse", COLUMNS, (params) => {
  const { by, window, sort } = parseAbuseView(params);
  return offsetPages((offset, limit) => refusalLeaders(by, ABUSE_WINDOWS[window], { sort, offset, limit }));
});
