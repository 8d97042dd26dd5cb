import { expect } from "vitest";

/**
 * Resolves once the app's own pool answers a statement again: after a test stalled, cut or
 * stopped PostgreSQL, its connections are gone and the driver opens new ones on demand.
 * Imports the app lazily, so a test file sets its env before the first call.
 */
export async function waitForDatabase({ timeoutMs = 20_000 } = {}): Promise<void> {
  const { getDb } = await import("@/db");
  const { sql } = await import("drizzle-orm");
  const db = await getDb();
  const answers = () =>
    db.execute(sql`select 1`).then(
      () => true,
      () => false,
    );
  await expect.poll(answers, { timeout: timeoutMs, interval: 300 }).toBe(true);
}
