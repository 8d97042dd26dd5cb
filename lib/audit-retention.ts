import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { rowsOf } from "@/db/rows";
import { env } from "@/lib/env";

const BATCH = 5_000;

/**
 * Clears the prompt and response text of audit rows older than AUDIT_RETENTION_DAYS. The rows
 * stay (tokens, cost, outcome, hashes), so the console's figures do not change. Works in
 * batches so no statement holds many row locks, and reads a partial index that holds only rows
 * still carrying text, so each run costs what there is to clear, not the size of the log.
 */
export async function clearExpiredAuditText(retentionDays = env.AUDIT_RETENTION_DAYS, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const db = await getDb();
  let cleared = 0;
  for (;;) {
    const rows = rowsOf<{ id: number }>(
      await db.execute(sql`
        update audit_log set prompt_text = null, response_text = null
        where id in (
          select id from audit_log
          where created_at < ${cutoff}::timestamptz and (prompt_text is not null or response_text is not null)
          limit ${BATCH}
        )
        returning id`),
    );
    cleared += rows.length;
    if (rows.length < BATCH) return cleared;
  }
}
