import type { Metadata } from "next";
import Link from "next/link";
import { refusalLeaders, type RefusalCount } from "@/db/queries/console";
import { requireAdminPage } from "@/lib/auth/admin";

export const metadata: Metadata = { title: "Abuse" };

function Leaders({ title, rows, kind }: { title: string; rows: RefusalCount[]; kind: "user" | "ip" }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th>{kind === "user" ? "User" : "Hashed IP"}</th>
              <th className="num">Refusals</th>
              <th>By outcome</th>
              {kind === "ip" && <th className="num">Accounts</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td className="truncate">
                  {kind === "user" ? (
                    <Link href={`/admin/users?q=${encodeURIComponent(row.email ?? row.key)}`}>{row.email ?? row.key}</Link>
                  ) : (
                    <code>{row.key.slice(0, 12)}…</code>
                  )}
                </td>
                <td className="num">{row.refusals}</td>
                <td className="hint">
                  {Object.entries(row.byOutcome)
                    .map(([outcome, count]) => `${outcome} ${count}`)
                    .join(", ")}
                </td>
                {kind === "ip" && <td className="num">{row.users}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="hint">Nothing refused in this window.</p>}
    </section>
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
      <h1>Abuse</h1>
      <p className="hint">
        Refusals a script causes: rate limited, replayed or expired request tokens, invalid input, moderated. Block an account from{" "}
        <Link href="/admin/users">Users</Link>.
      </p>
      <div className="console-grid">
        <Leaders title="Users, last hour" rows={usersHour} kind="user" />
        <Leaders title="Users, last 24 hours" rows={usersDay} kind="user" />
        <Leaders title="Hashed IPs, last hour" rows={ipsHour} kind="ip" />
        <Leaders title="Hashed IPs, last 24 hours" rows={ipsDay} kind="ip" />
      </div>
    </>
  );
}
