import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { rowsOf } from "@/db/rows";

/**
 * Stores a vote if `requestId` is an answer of this user's (a model request that was served, or
 * produced text before it stopped); false otherwise. One statement: the ownership check and the
 * upsert cannot be separated by a concurrent change.
 */
export async function saveFeedback(vote: { requestId: string; userId: string; rating: 1 | -1; note: string | null }): Promise<boolean> {
  const db = await getDb();
  const rows = rowsOf<{ request_id: string }>(
    await db.execute(sql`
      insert into feedback (request_id, user_id, rating, note, action, model)
      select request_id, user_id, ${vote.rating}::smallint, ${vote.note}, action, model from audit_log
      where request_id = ${vote.requestId}::uuid and user_id = ${vote.userId}
        and position('.' in action) = 0 and (outcome = 'served' or output_tokens > 0)
      on conflict (request_id) do update set rating = excluded.rating, note = excluded.note, created_at = now()
        where feedback.user_id = excluded.user_id
      returning request_id`),
  );
  return rows.length === 1;
}
