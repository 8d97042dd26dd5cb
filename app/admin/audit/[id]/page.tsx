import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { UserLink } from "@/components/admin/cells";
import { count, dateTime } from "@/components/admin/format";
import { Money } from "@/components/admin/money";
import { OutcomeBadge } from "@/components/admin/outcome-badge";
import { Section } from "@/components/admin/section";
import { TextBlock } from "@/components/admin/text-block";
import { PageHeader } from "@/components/shell/page";
import { buttonVariants } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableRow } from "@/components/ui/table";
import { getAuditRow } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Audit row" };

type Props = { params: Promise<{ id: string }> };

export default async function AuditRowPage({ params }: Props) {
  const { id } = await params;
  await requireAdminPage(`/admin/audit/${id}`);
  if (!/^\d{1,18}$/.test(id)) notFound();
  const row = await getAuditRow(Number(id));
  if (!row) notFound();
  const { timings, ...otherDetails } = (row.details ?? {}) as { timings?: Record<string, number> } & Record<string, unknown>;
  const facts: Array<[string, React.ReactNode, string?]> = [
    [
      "Request id",
      <code key="id" className="font-mono text-xs break-all">
        {row.requestId}
      </code>,
      "audit-request-id",
    ],
    ["Time", dateTime(row.createdAt)],
    ["User", row.userId ? <UserLink key="user" id={row.userId} email={row.email} className="break-all underline" /> : "—"],
    ["Feature", row.action],
    ["Outcome", <OutcomeBadge key="outcome" outcome={row.outcome} cacheHit={row.cacheHit} />, "audit-detail-outcome"],
    ["Model", row.model ?? "—"],
    ["Tokens", `${count(row.inputTokens)} in, ${count(row.outputTokens)} out`],
    ["Cost", <Money key="cost" micros={row.costMicros} />],
    // The catalogue's prices the cost was computed under (lib/ai/catalogue.ts PRICE_VERSION).
    ["Price version", row.priceVersion ?? "—"],
    ["Cache hit", cacheLabel(row.cacheHit, row.details)],
    ["Latency", row.latencyMs === null ? "—" : `${count(row.latencyMs)} ms`],
    [
      "Hashed IP",
      <code key="ip" className="font-mono text-xs break-all">
        {row.ipHash ?? "—"}
      </code>,
    ],
    [
      "Prompt hash",
      <code key="hash" className="font-mono text-xs break-all">
        {row.promptHash ?? "—"}
      </code>,
    ],
  ];
  return (
    <>
      <div className="grid gap-3">
        <Link href="/admin/audit" className={`${buttonVariants({ variant: "ghost", size: "sm" })} w-fit -ml-3`}>
          <ArrowLeftIcon aria-hidden /> Audit log
        </Link>
        <PageHeader title={`Request ${row.requestId.slice(0, 8)}`} description={`${row.action} · ${dateTime(row.createdAt)}`} />
      </div>
      <Section id="facts" title="What happened">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]" data-testid="audit-detail">
          {facts.map(([label, value, testId]) => (
            <div key={label} className="contents">
              <dt className="text-muted-foreground">{label}</dt>
              <dd className="min-w-0 tabular-nums" data-testid={testId}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      </Section>
      {timings && (
        <Section id="timings" title="Timings per step">
          <Table data-testid="audit-timings">
            <TableBody>
              {Object.entries(timings).map(([step, value]) => (
                <TableRow key={step}>
                  <TableHead scope="row" className="font-mono normal-case">
                    {step}
                  </TableHead>
                  <TableCell className="text-right tabular-nums">{value} ms</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Section>
      )}
      <Section id="text" title="Prompt and response">
        {row.promptText === null && row.responseText === null ? (
          <p className="text-sm text-muted-foreground">
            {env.AUDIT_STORE_TEXT === "on"
              ? "No text on this row (a refusal before the input was read, or cleared after the retention period)."
              : "Text is not stored: set AUDIT_STORE_TEXT=on to keep prompts and responses on audit rows."}
          </p>
        ) : (
          <>
            <h3 className="text-sm font-medium">Prompt</h3>
            <TextBlock data-testid="audit-prompt">{row.promptText ?? "—"}</TextBlock>
            <h3 className="text-sm font-medium">Response</h3>
            <TextBlock data-testid="audit-response">{row.responseText ?? "—"}</TextBlock>
          </>
        )}
      </Section>
      {Object.keys(otherDetails).length > 0 && (
        <Section id="details" title="Details">
          <TextBlock>{JSON.stringify(otherDetails, null, 2)}</TextBlock>
        </Section>
      )}
    </>
  );
}

/** "yes", or which cache answered: "semantic (similarity 0.9731)" names the near-identical match. */
function cacheLabel(cacheHit: boolean, details: Record<string, unknown> | null): string {
  if (!cacheHit) return "no";
  if (details?.cache === "semantic") return `semantic (similarity ${String(details.similarity)})`;
  return details?.cache === "exact" ? "exact" : "yes";
}
