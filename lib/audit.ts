import "server-only";
import { getDb } from "@/db";
import { auditLog } from "@/db/schema";

export type AuditEntry = typeof auditLog.$inferInsert;

const ATTEMPTS = 4;

/**
 * Writes one audit row. Retried with backoff; the request id is unique, so a retry after an
 * ambiguous failure cannot write the row twice. If every attempt fails the row goes to the
 * server log as JSON (marked AUDIT_WRITE_FAILED) so it can be replayed: never silently dropped.
 * Call it from `after()` so the user never waits for it.
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const db = await getDb();
      await db.insert(auditLog).values(entry).onConflictDoNothing({ target: auditLog.requestId });
      return;
    } catch (error) {
      lastError = error;
      if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  console.error("AUDIT_WRITE_FAILED", JSON.stringify(entry), lastError);
}
