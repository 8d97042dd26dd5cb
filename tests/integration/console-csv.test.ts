import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";
import { session, type TestUser } from "../support/session-mock";
import { createRunDatabase, runDatabaseName } from "../support/test-database";

// The console's CSV exports (audit log, users, abuse, feedback), through their route handlers:
// refused to anyone but an admin before anything is read, and otherwise exactly the rows the
// view's URL filters, in the view's order, with formula-like cells defused.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

// A database of this file's own on PostgreSQL: the abuse and feedback exports read every user's
// rows, so another file's rows would change what "exactly the filtered rows" means.
const runUrl = inject("databaseUrl");
const database = runUrl ? await createRunDatabase(runUrl, runDatabaseName("console_csv")) : null;
if (database) process.env.DATABASE_URL = database.url;
process.env.AUDIT_STORE_TEXT = "on";

const { getDb } = await import("@/db");
await getDb();
const { recordAudit } = await import("@/lib/audit-log");
const { auditLog } = await import("@/db/schema");
const { saveFeedback } = await import("@/db/queries/feedback");
const console_ = await import("@/db/queries/console");
const routes = {
  audit: await import("@/app/admin/audit/export/route"),
  users: await import("@/app/admin/users/export/route"),
  abuse: await import("@/app/admin/abuse/export/route"),
  feedback: await import("@/app/admin/feedback/export/route"),
};

afterAll(async () => {
  await closeDatabase(await getDb());
  await database?.drop();
});

/** A CSV body as rows of cells (quoted cells with "" inside, CRLF line ends, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      cell += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else {
      cell += c;
    }
  }
  expect(cell, "the body ends with a line end").toBe("");
  return rows;
}

/** GETs an export as `user`; the CSV as objects keyed by its header, or the refusal. */
async function exportAs(user: TestUser | null, route: keyof typeof routes, query = "") {
  session.user = user;
  const response = await routes[route].GET(new Request(`http://localhost/admin/${route}/export${query}`));
  if (response.status !== 200) return { status: response.status, body: await response.text(), rows: [] };
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="${route}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
  const [header, ...lines] = parseCsv(await response.text());
  return { status: 200, body: "", rows: lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]!]))) };
}

const admin = async () => ({ ...(await newUser()), role: "admin" as const });

describe("the console's CSV exports", () => {
  it("answer a non-admin and a visitor 404 before reading anything", async () => {
    const user = await newUser();
    for (const route of Object.keys(routes) as Array<keyof typeof routes>) {
      for (const who of [user, null]) {
        const refused = await exportAs(who, route, "?q=x&sort=email");
        expect(refused, `${route} as ${who ? "a user" : "nobody"}`).toEqual({ status: 404, body: "Not found", rows: [] });
      }
    }
  });

  it("users: exactly the search's users, in the view's order, with formula-like emails defused", async () => {
    const tag = randomUUID().slice(0, 8);
    // Addresses a spreadsheet would run as formulas: = + - @ at the start.
    const made: TestUser[] = [];
    for (const local of ["carol", "=cmd", "+sum", "-neg", "@at", "alice"])
      made.push(await newUser({ email: `${local}-${tag}@example.com` }));
    await newUser({ email: `bob-other@example.com` }); // not matched by the search
    const { rows } = await exportAs(await admin(), "users", `?q=${tag}&sort=email`);
    // The page's own order (the database's collation decides where "=" and "+" go).
    const view = await console_.listConsoleUsers({ search: tag, sort: "email" });
    expect(rows.map((row) => row.user_id)).toEqual(view.users.map((user) => user.id));
    expect(new Set(rows.map((row) => row.user_id))).toEqual(new Set(made.map((user) => user.id)));
    const cell = (local: string) => rows.find((row) => row.user_id === made.find((user) => user.email.startsWith(local))!.id)!.email;
    expect([cell("="), cell("+"), cell("-"), cell("@"), cell("alice")]).toEqual([
      `'=cmd-${tag}@example.com`,
      `'+sum-${tag}@example.com`,
      `'-neg-${tag}@example.com`,
      `'@at-${tag}@example.com`,
      `alice-${tag}@example.com`,
    ]);
    // Newest first (the default) is the same users the other way round from sign-up.
    const newest = await exportAs(await admin(), "users", `?q=${tag}`);
    expect(newest.rows.map((row) => row.user_id)).toEqual([...made].reverse().map((user) => user.id));
  });

  it("audit log: exactly the filtered rows, oldest first when asked, across more than one page", async () => {
    const user = await newUser();
    const base = Date.now() - 3 * 86_400_000; // outside the abuse view's windows
    // 3,003 rows, 1,001 of them refused: the export reads 1,000 at a time, so the second page must
    // follow the first exactly.
    const written = Array.from({ length: 3_003 }, (_, i) => ({
      requestId: randomUUID(),
      userId: user.id,
      action: "chat",
      outcome: i % 3 === 0 ? "rate_limited" : "served",
      createdAt: new Date(base + i * 1_000),
      costMicros: 12,
    }));
    await (await getDb()).insert(auditLog).values(written);
    const ids = written.filter((row) => row.outcome === "rate_limited").map((row) => row.requestId);
    const { rows } = await exportAs(await admin(), "audit", `?email=${encodeURIComponent(user.email)}&outcome=rate_limited&sort=oldest`);
    expect(rows.map((row) => row.request_id)).toEqual(ids);
    expect(new Set(rows.map((row) => row.cost_usd))).toEqual(new Set(["0.000012"]));
    const all = await exportAs(await admin(), "audit", `?email=${encodeURIComponent(user.email)}`);
    expect(all.rows).toHaveLength(3_003);
    expect(all.rows.at(-1)!.outcome).toBe("rate_limited"); // newest first: the oldest row last
  }, 120_000);

  it("abuse: every group of the view's grouping and window, in its order", async () => {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const now = Date.now();
    const refuse = (userId: string, ipHash: string, minutesAgo: number) =>
      recordAudit({
        requestId: randomUUID(),
        userId,
        action: "chat",
        outcome: "rate_limited",
        ipHash,
        createdAt: new Date(now - minutesAgo * 60_000),
      });
    // One IP with three accounts and 3 refusals; one with one account and 5; one old refusal outside the hour.
    for (const [user, minutesAgo] of [
      [a, 12],
      [b, 11],
      [c, 10],
    ] as const)
      await refuse(user.id, "=ip-many", minutesAgo);
    for (let i = 0; i < 5; i++) await refuse(a.id, "ip-busy", 20);
    await refuse(c.id, "ip-old", 300);
    const byAccounts = await exportAs(await admin(), "abuse", "?by=ip&sort=accounts");
    expect(byAccounts.rows.map((row) => [row.key, row.refusals, row.accounts, row.by_outcome])).toEqual([
      ["'=ip-many", "3", "3", "rate_limited=3"],
      ["ip-busy", "5", "1", "rate_limited=5"],
    ]);
    const byRefusals = await exportAs(await admin(), "abuse", "?by=ip&window=24h");
    expect(byRefusals.rows.map((row) => row.key)).toEqual(["ip-busy", "'=ip-many", "ip-old"]);
    const users = await exportAs(await admin(), "abuse", "?window=24h&sort=latest");
    expect(users.rows.map((row) => row.key)).toEqual([c.id, b.id, a.id]); // latest refusal: c 10, b 11, a 12 minutes ago
    expect(users.rows.map((row) => row.email)).toEqual([c.email, b.email, a.email]);
    // The view's pages: each starts where the previous one ended.
    const pages = [];
    for (let offset = 0; offset < 4; offset++) pages.push(...(await console_.refusalLeaders("ip", 24, { limit: 1, offset })));
    expect(pages.map((row) => row.key)).toEqual(["ip-busy", "=ip-many", "ip-old"]);
  });

  it("feedback: exactly the down-voted answers, in the view's order, with formula-like notes and text defused", async () => {
    const voter = await newUser();
    const answers: string[] = [];
    for (const [index, note] of ['=HYPERLINK("http://evil.example")', "fine", null, "@SUM(A1)"].entries()) {
      const requestId = randomUUID();
      await recordAudit({
        requestId,
        userId: voter.id,
        action: "chat",
        outcome: "served",
        model: "gpt-4.1-nano",
        outputTokens: 5,
        promptText: index === 0 ? "+1+1" : `prompt ${index}`,
        responseText: "-an answer",
      });
      await saveFeedback({ requestId, userId: voter.id, rating: index === 1 ? 1 : -1, note });
      if (index !== 1) answers.push(requestId);
    }
    const oldest = await exportAs(await admin(), "feedback", "?sort=oldest");
    expect(oldest.rows.map((row) => row.request_id)).toEqual(answers); // the up-vote is not in it
    expect(oldest.rows.map((row) => [row.note, row.prompt, row.response])).toEqual([
      [`'=HYPERLINK("http://evil.example")`, "'+1+1", "'-an answer"],
      ["", "prompt 2", "'-an answer"],
      ["'@SUM(A1)", "prompt 3", "'-an answer"],
    ]);
    const newest = await exportAs(await admin(), "feedback");
    expect(newest.rows.map((row) => row.request_id)).toEqual([...answers].reverse());
    // The export and the view read the same query.
    expect((await console_.downvotedAnswers(50, 0, "oldest")).map((row) => row.requestId)).toEqual(answers);
  });
});
