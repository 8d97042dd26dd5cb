import { ShieldCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/admin/empty-state";
import { count } from "@/components/admin/format";
import { Section } from "@/components/admin/section";
import { PageHeader } from "@/components/shell/page";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { refusalLeaders, type RefusalCount } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";

export const metadata: Metadata = { title: "Abuse" };

function Leaders({ id, title, rows, kind }: { id: string; title: string; rows: RefusalCount[]; kind: "user" | "ip" }) {
  return (
    <Section id={id} title={title}>
      {rows.length === 0 ? (
        <EmptyState icon={ShieldCheckIcon} title="Nothing refused in this window">
          {kind === "user" ? "Accounts" : "Addresses"} with the most rate-limited, replayed, invalid or moderated requests appear here.
        </EmptyState>
      ) : (
        <Table pinFirstColumn scrollLabel={title}>
          <TableHeader>
            <TableRow>
              <TableHead>{kind === "user" ? "User" : "Hashed IP"}</TableHead>
              <TableHead className="text-right">Refusals</TableHead>
              {kind === "ip" && <TableHead className="text-right">Accounts</TableHead>}
              <TableHead>By outcome</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.key}>
                <TableCell className="max-w-44 truncate sm:max-w-64">
                  {kind === "user" ? (
                    <Link href={`/admin/users/${encodeURIComponent(row.key)}`} className="underline-offset-4 hover:underline">
                      {row.email ?? row.key}
                    </Link>
                  ) : (
                    <code className="font-mono text-xs" title={row.key}>
                      {row.key.slice(0, 12)}…
                    </code>
                  )}
                </TableCell>
                <TableCell className="text-right tabular-nums">{count(row.refusals)}</TableCell>
                {kind === "ip" && <TableCell className="text-right tabular-nums">{count(row.users ?? 0)}</TableCell>}
                <TableCell>
                  <div className="flex gap-1">
                    {Object.entries(row.byOutcome).map(([outcome, n]) => (
                      <Badge key={outcome} variant="outline" className="tabular-nums">
                        {outcome} {count(n)}
                      </Badge>
                    ))}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Section>
  );
}

export default async function AdminAbusePage() {
  await requireAdminPage("/admin/abuse");
  const [usersHour, usersDay, ipsHour, ipsDay] = await Promise.all([
    refusalLeaders("user", 1),
    refusalLeaders("user", 24),
    refusalLeaders("ip", 1),
    refusalLeaders("ip", 24),
  ]);
  return (
    <>
      <PageHeader
        title="Abuse"
        description={
          <>
            Refusals a script causes: rate limited, replayed or expired request tokens, invalid input, moderated. Block an account from its
            page under{" "}
            <Link href="/admin/users" className="underline underline-offset-4">
              Users
            </Link>
            .
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Leaders id="users-hour" title="Users, last hour" rows={usersHour} kind="user" />
        <Leaders id="users-day" title="Users, last 24 hours" rows={usersDay} kind="user" />
        <Leaders id="ips-hour" title="Hashed IPs, last hour" rows={ipsHour} kind="ip" />
        <Leaders id="ips-day" title="Hashed IPs, last 24 hours" rows={ipsDay} kind="ip" />
      </div>
    </>
  );
}
