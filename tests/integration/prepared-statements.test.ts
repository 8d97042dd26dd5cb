import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

// DATABASE_PREPARE=on must reach the statements drizzle runs (it calls postgres.js's `unsafe`,
// which never prepares unless told): one connection, a parameterized statement, then the
// connection's own list of prepared statements. Only where the run has them on (CI's direct
// PostgreSQL pass): pgbouncer 1.18 in transaction mode has no prepared statements.
describe.skipIf(!process.env.DATABASE_URL || process.env.DATABASE_PREPARE !== "on")("DATABASE_PREPARE on PostgreSQL", () => {
  const saved = { prepare: process.env.DATABASE_PREPARE, poolMax: process.env.DATABASE_POOL_MAX };
  afterAll(() => {
    process.env.DATABASE_PREPARE = saved.prepare;
    if (saved.poolMax === undefined) delete process.env.DATABASE_POOL_MAX;
    else process.env.DATABASE_POOL_MAX = saved.poolMax;
  });

  it("prepares drizzle's parameterized statements when on, and none when off", async () => {
    const counts: Record<string, number> = {};
    for (const setting of ["on", "off"] as const) {
      process.env.DATABASE_PREPARE = setting;
      process.env.DATABASE_POOL_MAX = "1";
      const { vi } = await import("vitest");
      vi.resetModules();
      const { getDb } = await import("@/db");
      delete (globalThis as { dbPromise?: unknown }).dbPromise;
      const db = await getDb();
      await db.execute(sql`select ${`prepared-check-${setting}`}::text as probe`);
      const result = await db.execute(
        sql`select count(*)::int as n from pg_prepared_statements where statement like '%prepared-check%' or statement like '%::text as probe%'`,
      );
      counts[setting] = Number((result as unknown as Array<{ n: number }>)[0]!.n);
      await (db as unknown as { $client: { end: () => Promise<void> } }).$client.end();
      delete (globalThis as { dbPromise?: unknown }).dbPromise;
    }
    expect(counts).toEqual({ on: 1, off: 0 });
  });
});
