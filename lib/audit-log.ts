import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { auditLog } from "@/db/schema";

export type AuditEntry = typeof auditLog.$inferInsert;

const ATTEMPTS = 4;

/**
 * Writes one audit row. Retried with backoff; the request id is unique, so a retry after an
 * ambiguous failure cannot write the row twice. If every attempt fails the row goes to the
 * server log as JSON (marked AUDIT_WRITE_FAILED) so it can be replayed: never silently dropped.
 * Call it from `after()` so the user never waits for it.
 *
 * The row outlives its user: there is no foreign key, so a request still in flight when its
 * account is deleted keeps its row (user id kept); its personal data (prompt and response
 * text, IP hash) is written only while the user still exists. A row the reservation sweeper
 * wrote as `lost` is replaced by the real one if the request turns out to have finished.
 */
export async function recordAudit(
  entry: AuditEntry,
  options: {
    /**
     * Also counts one request on the user's usage row for that day, in the same transaction and
     * only if this call wrote the row (a retry after a commit counts nothing): a cache hit,
     * which reserved nothing before it was served.
     */
    countRequest?: { userId: string; day: string };
  } = {},
): Promise<void> {
  const whileUserExists = (value: string | null | undefined): SQL | string | null =>
    entry.userId && value != null ? sql`(select ${value}::text where exists (select 1 from users where id = ${entry.userId}))` : (value ?? null);
  const row = {
    ...entry,
    promptText: whileUserExists(entry.promptText),
    responseText: whileUserExists(entry.responseText),
    ipHash: whileUserExists(entry.ipHash),
  };
  const update = { ...row, requestId: undefined };
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const db = await getDb();
      const write = (tx: Pick<typeof db, "insert">) =>
        tx
          .insert(auditLog)
          .values(row)
          .onConflictDoUpdate({ target: auditLog.requestId, set: update, setWhere: sql`${auditLog.outcome} = 'lost'` })
          .returning({ id: auditLog.id });
      const count = options.countRequest;
      if (!count) {
        await write(db);
        return;
      }
      await db.transaction(async (tx) => {
        if ((await write(tx)).length === 0) return;
        // Not for a user deleted meanwhile (the usage row's foreign key would refuse the row).
        await tx.execute(sql`
          insert into usage_daily as u (user_id, day, requests)
          select ${count.userId}, ${count.day}::date, 1 where exists (select 1 from users where id = ${count.userId})
          on conflict (user_id, day) do update set requests = u.requests + 1`);
      });
      return;
    } catch (error) {
      lastError = error;
      if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  console.error("AUDIT_WRITE_FAILED", JSON.stringify(entry), lastError);
}
