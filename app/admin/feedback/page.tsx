import type { Metadata } from "next";
import Link from "next/link";
import { dateTime } from "@/components/admin/format";
import { downvotedAnswers } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Feedback" };

export default async function AdminFeedbackPage() {
  await requireAdminPage("/admin/feedback");
  const answers = await downvotedAnswers();
  return (
    <>
      <h1>Down-voted answers</h1>
      {env.AUDIT_STORE_TEXT !== "on" && (
        <p className="hint">AUDIT_STORE_TEXT is off: prompts and responses are not kept, only the votes and notes.</p>
      )}
      {answers.length === 0 && <p className="hint">No answer has been down-voted.</p>}
      {answers.map((answer) => (
        <section key={answer.requestId} className="card stack" data-testid="downvoted-answer">
          <p className="hint">
            {dateTime(answer.votedAt)} · {answer.email ?? "deleted user"} · {answer.action} · {answer.model ?? "—"}
            {answer.auditId !== null && (
              <>
                {" · "}
                <Link href={`/admin/audit/${answer.auditId}`}>audit row</Link>
              </>
            )}
          </p>
          {answer.note && <p>“{answer.note}”</p>}
          <h3>Prompt</h3>
          <pre className="text">{answer.promptText ?? "—"}</pre>
          <h3>Response</h3>
          <pre className="text">{answer.responseText ?? "—"}</pre>
        </section>
      ))}
    </>
  );
}
