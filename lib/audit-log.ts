import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { auditLog } from "@/db/schema";
import { storableJson } from "@/lib/text/storable";

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
export type CountRequest = { userId: string; day: string };

export async function recordAudit(
  entry: AuditEntry,
  options: {
    /**
     * Also counts one request on the user's usage row for that day, in the same transaction and
     * only if this call wrote the row (a retry after a commit counts nothing): a cache hit,
     * which reserved nothing before it was served.
     */
    countRequest?: CountRequest;
  } = {},
): Promise<void> {
  try {
    await withRetries(async () => writeAuditRow(await getDb(), entry, options.countRequest));
  } catch (error) {
    console.error("AUDIT_WRITE_FAILED", JSON.stringify(entry), error);
  }
}

/** One attempt at `recordAudit`'s work; throws what the database threw. */
export async function writeAuditRow(db: Db, entry: AuditEntry, countRequest?: CountRequest): Promise<void> {
  if (!countRequest) {
    await upsertAuditRow(db, entry);
    return;
  }
  await db.transaction(async (tx) => {
    if (!(await upsertAuditRow(tx, entry)).written) return;
    await countOneRequest(tx, countRequest);
  });
}

/** Not for a user deleted meanwhile (the usage row's foreign key would refuse the row). */
async function countOneRequest(db: Db, count: CountRequest): Promise<void> {
  await db.execute(sql`
    insert into usage_daily as u (user_id, day, requests)
    select ${count.userId}, ${count.day}::date, 1 where exists (select 1 from users where id = ${count.userId})
    on conflict (user_id, day) do update set requests = u.requests + 1`);
}

/**
 * One attempt at writing the row (inside a caller's transaction, or not). `written` is false
 * when the request already has its real row; `replacedLost` when it replaced the sweeper's.
 */
export async function upsertAuditRow(db: Db, raw: AuditEntry): Promise<{ written: boolean; replacedLost: boolean }> {
  // Text the client sent (prompt, an error message naming its input) may hold what PostgreSQL refuses.
  const entry = storableJson(raw);
  const whileUserExists = (value: string | null | undefined): SQL | string | null =>
    entry.userId && value != null
      ? sql`(select ${value}::text where exists (select 1 from users where id = ${entry.userId}))`
      : (value ?? null);
  const row = {
    ...entry,
    promptText: whileUserExists(entry.promptText),
    responseText: whileUserExists(entry.responseText),
    ipHash: whileUserExists(entry.ipHash),
  };
  const update = { ...row, requestId: undefined };
  // xmax is 0 on a freshly inserted row and set on one the upsert updated (here: a `lost` row).
  const [result] = await db
    .insert(auditLog)
    .values(row)
    .onConflictDoUpdate({ target: auditLog.requestId, set: update, setWhere: sql`${auditLog.outcome} = 'lost'` })
    .returning({ replacedLost: sql<boolean>`xmax <> 0` });
  return { written: result !== undefined, replacedLost: result?.replacedLost === true };
}

/** Runs `attempt` up to 4 times with backoff (about 0.7 s in all); throws the last error. */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let round = 1; round <= ATTEMPTS; round++) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      if (round < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
  }
  throw lastError;
}
