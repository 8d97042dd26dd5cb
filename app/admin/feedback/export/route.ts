import { downvotedAnswers } from "@/db/queries/console";
import { adminCsvExport } from "@/lib/admin-export";
import { parseFeedbackView } from "@/lib/console-view";
import { offsetPages, type CsvColumns } from "@/lib/http/csv";

// The down-voted answers (in the view's order) as CSV, with the prompt and response when kept.

type Answer = Awaited<ReturnType<typeof downvotedAnswers>>[number];

const COLUMNS: CsvColumns<Answer> = [
  ["request_id", (row) => row.requestId],
  ["voted_at", (row) => row.votedAt.toISOString()],
  ["email", (row) => row.email],
  ["feature", (row) => row.action],
  ["model", (row) => row.model],
  ["note", (row) => row.note],
  ["audit_id", (row) => row.auditId],
  ["prompt", (row) => row.promptText],
  ["response", (row) => row.responseText],
];

export const GET = adminCsvExport("feedback", COLUMNS, (params) => {
  const { sort } = parseFeedbackView(params);
  return offsetPages((offset, limit) => downvotedAnswers(limit, offset, sort));
});
