import { ThumbsDownIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/admin/empty-state";
import { ExportLink } from "@/components/admin/export-link";
import { dateTime } from "@/components/admin/format";
import { Pager } from "@/components/admin/pager";
import { TextBlock } from "@/components/admin/text-block";
import { ViewToggle } from "@/components/admin/view-toggle";
import { PageHeader } from "@/components/shell/page";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { downvotedAnswers, FEEDBACK_SORTS, type FeedbackSort } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { parseFeedbackView, parsePage, viewHref, type SearchParams } from "@/lib/console-view";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Feedback" };

const PAGE_SIZE = 20;

type Props = { searchParams: Promise<SearchParams> };

export default async function AdminFeedbackPage({ searchParams }: Props) {
  await requireAdminPage("/admin/feedback");
  const params = await searchParams;
  const { sort } = parseFeedbackView(params);
  const page = parsePage(params);
  // One more than a page: whether there is a next one.
  const rows = await downvotedAnswers(PAGE_SIZE + 1, page * PAGE_SIZE, sort);
  const answers = rows.slice(0, PAGE_SIZE);
  const hasMore = rows.length > PAGE_SIZE;
  // The view lives in the URL (order, page); the default order is left out.
  const link = (changes: { sort?: FeedbackSort; page?: number }) =>
    viewHref("/admin/feedback", {
      sort: (changes.sort ?? sort) === FEEDBACK_SORTS[0] ? undefined : (changes.sort ?? sort),
      page: changes.page || undefined,
    });
  const newest = sort === "newest";
  return (
    <>
      <PageHeader
        title="Down-voted answers"
        description="Answers users marked as bad, with their note and, when text is stored, the prompt and response."
      >
        <ExportLink href={viewHref("/admin/feedback/export", { sort: newest ? undefined : sort })}>Export as CSV</ExportLink>
      </PageHeader>
      {env.AUDIT_STORE_TEXT !== "on" && (
        <Alert>
          <AlertDescription>AUDIT_STORE_TEXT is off: prompts and responses are not kept, only the votes and notes.</AlertDescription>
        </Alert>
      )}
      <ViewToggle
        label="Order"
        options={[
          { label: "Newest first", href: link({ sort: "newest" }), active: newest },
          { label: "Oldest first", href: link({ sort: "oldest" }), active: !newest },
        ]}
      />
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
            <TextBlock className="max-h-72">{answer.promptText ?? "—"}</TextBlock>
            <h2 className="text-sm font-medium">Response</h2>
            <TextBlock className="max-h-72">{answer.responseText ?? "—"}</TextBlock>
          </CardContent>
        </Card>
      ))}
      <Pager
        previous={page > 0 ? link({ page: page - 1 }) : null}
        previousLabel={newest ? "Newer" : "Older"}
        next={hasMore ? link({ page: page + 1 }) : null}
        nextLabel={newest ? "Older" : "Newer"}
      />
    </>
  );
}
