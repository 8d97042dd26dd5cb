import { ThumbsDownIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/admin/empty-state";
import { dateTime } from "@/components/admin/format";
import { PageHeader } from "@/components/shell/page";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { downvotedAnswers } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Feedback" };

const PRE = "max-h-72 overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-5 break-words whitespace-pre-wrap";

const PAGE_SIZE = 20;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminFeedbackPage({ searchParams }: Props) {
  await requireAdminPage("/admin/feedback");
  const params = await searchParams;
  const page = Math.max(0, Math.min(10_000, Number.parseInt(typeof params.page === "string" ? params.page : "0", 10) || 0));
  // One more than a page: whether there is a next one.
  const rows = await downvotedAnswers(PAGE_SIZE + 1, page * PAGE_SIZE);
  const answers = rows.slice(0, PAGE_SIZE);
  const hasMore = rows.length > PAGE_SIZE;
  return (
    <>
      <PageHeader title="Down-voted answers" description="Answers users marked as bad, with their note, newest first." />
      {env.AUDIT_STORE_TEXT !== "on" && (
        <Alert>
          <AlertDescription>AUDIT_STORE_TEXT is off: prompts and responses are not kept, only the votes and notes.</AlertDescription>
        </Alert>
      )}
      {answers.length === 0 && (
        <EmptyState icon={ThumbsDownIcon} title="No answer has been down-voted">
          When a user marks an answer as bad in the chat or a tool, it appears here with their note and, when text is stored, the prompt and
          response.
        </EmptyState>
      )}
      {answers.map((answer) => (
        <Card key={answer.requestId} className="gap-4" data-testid="downvoted-answer">
          <CardHeader className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
            <span className="tabular-nums">{dateTime(answer.votedAt)}</span>
            <span className="break-all">{answer.email ?? "deleted user"}</span>
            <Badge variant="outline">{answer.action}</Badge>
            {answer.model && <Badge variant="outline">{answer.model}</Badge>}
            {answer.auditId !== null && (
              <Link href={`/admin/audit/${answer.auditId}`} className="underline underline-offset-4">
                audit row
              </Link>
            )}
          </CardHeader>
          <CardContent className="grid gap-3">
            {answer.note && <blockquote className="border-l-2 pl-3 italic">“{answer.note}”</blockquote>}
            <h2 className="text-sm font-medium">Prompt</h2>
            <pre className={PRE}>{answer.promptText ?? "—"}</pre>
            <h2 className="text-sm font-medium">Response</h2>
            <pre className={PRE}>{answer.responseText ?? "—"}</pre>
          </CardContent>
        </Card>
      ))}
      {(page > 0 || hasMore) && (
        <nav aria-label="Pages" className="flex gap-2">
          {page > 0 && (
            <Link className={buttonVariants({ variant: "outline", size: "sm" })} href={`/admin/feedback?page=${page - 1}`}>
              Newer
            </Link>
          )}
          {hasMore && (
            <Link className={buttonVariants({ variant: "outline", size: "sm" })} href={`/admin/feedback?page=${page + 1}`}>
              Older
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
