import Link from "next/link";
import { TableCell, TableHead } from "@/components/ui/table";
import { cn } from "@/lib/utils";
import { count, dateTime } from "./format";
import { Money } from "./money";

// The console tables' recurring cells: numbers right-aligned in tabular figures, a user as a
// link to their page, a time as a link to its audit row.

const NUMERIC = "text-right tabular-nums";

/** A column header over numbers: right-aligned like them. */
export function NumHead({ className, ...props }: React.ComponentProps<typeof TableHead>) {
  return <TableHead className={cn("text-right", className)} {...props} />;
}

/** A count ("1,234") or any figure, right-aligned. */
export function NumCell({ value, className, children, ...props }: { value?: number } & React.ComponentProps<typeof TableCell>) {
  return (
    <TableCell className={cn(NUMERIC, className)} {...props}>
      {value === undefined ? children : count(value)}
    </TableCell>
  );
}

/** An amount in micro-dollars, right-aligned (the exact figure in its title when rounded). */
export function MoneyCell({ micros, ...props }: { micros: number } & React.ComponentProps<typeof TableCell>) {
  return (
    <TableCell className={NUMERIC} {...props}>
      <Money micros={micros} />
    </TableCell>
  );
}

/** A user by email (or id, once the account is gone), linking to their console page. */
export function UserLink({ id, email, className }: { id: string; email: string | null; className?: string }) {
  return (
    <Link href={`/admin/users/${encodeURIComponent(id)}`} className={cn("underline-offset-4 hover:underline", className)}>
      {email ?? id}
    </Link>
  );
}

/** A UTC time without the zone (the column header says it), linking to its audit row when there is one. */
export function AuditTime({ at, auditId }: { at: Date; auditId: number | null }) {
  const text = dateTime(at).replace(" UTC", "");
  if (auditId === null) return text;
  return (
    <Link href={`/admin/audit/${auditId}`} className="underline-offset-4 hover:underline">
      {text}
    </Link>
  );
}

/** "—" in the muted colour: a cell with nothing to show. */
export function Nothing() {
  return <span className="text-muted-foreground">—</span>;
}
