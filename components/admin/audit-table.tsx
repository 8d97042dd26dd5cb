import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AuditListRow } from "@/db/queries/console";
import { AuditTime, MoneyCell, Nothing, NumCell, NumHead, UserLink } from "./cells";
import { OutcomeBadge } from "./outcome-badge";

type AuditTableProps = {
  rows: AuditListRow[];
  /** The time column's header: the audit log's sorts it ("Time (UTC)" otherwise). */
  timeHead?: React.ReactNode;
  /** The user column (the audit log); one user's page leaves it out. */
  withUser?: boolean;
  /** The cache column (the audit log); one user's page shows cache hits in the outcome badge. */
  withCache?: boolean;
} & Omit<React.ComponentProps<typeof Table>, "children">;

/** Audit rows as the console lists them: time (to the row's page), user, feature, outcome, model, tokens, cost. */
export function AuditTable({ rows, timeHead, withUser = false, withCache = false, ...props }: AuditTableProps) {
  return (
    <Table pinFirstColumn {...props}>
      <TableHeader>
        <TableRow>
          {timeHead ?? <TableHead>Time (UTC)</TableHead>}
          {withUser && <TableHead>User</TableHead>}
          <TableHead>Feature</TableHead>
          <TableHead>Outcome</TableHead>
          <TableHead>Model</TableHead>
          <NumHead>Tokens</NumHead>
          <NumHead>Cost</NumHead>
          {withCache && <TableHead>Cache</TableHead>}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.id} data-testid="audit-row" data-request-id={row.requestId}>
            <TableCell className="tabular-nums">
              <AuditTime at={row.createdAt} auditId={row.id} />
            </TableCell>
            {withUser && (
              <TableCell className="max-w-56 truncate">
                {row.userId ? <UserLink id={row.userId} email={row.email} /> : <Nothing />}
              </TableCell>
            )}
            <TableCell>{row.action}</TableCell>
            <TableCell data-testid="audit-outcome">
              <OutcomeBadge outcome={row.outcome} cacheHit={row.cacheHit} />
            </TableCell>
            <TableCell>{row.model ?? <Nothing />}</TableCell>
            <NumCell value={row.inputTokens + row.outputTokens} />
            <MoneyCell micros={row.costMicros} />
            {withCache && <TableCell>{row.cacheHit ? <Badge variant="secondary">hit</Badge> : <Nothing />}</TableCell>}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
