import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, newUser, summarize, tag } from "../support/guard-harness";
import { session } from "../support/session-mock";

// Where the database has no pgvector (the Debian PostgreSQL 15 on CI), the migrations still
// apply, the semantic cache switches itself off with one log line, and the exact cache keeps
// working. The full path runs with DATABASE_URL (CI's real-services pass); the migration check
// also runs on a PGlite started without the vector extension.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const onPostgres = Boolean(process.env.DATABASE_URL);
const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb, MIGRATIONS_FOLDER } = await import("@/db");
const { hasSemanticCacheTable } = await import("@/db/queries/semantic-cache");

afterAll(async () => {
  await fake.close();
  if (onPostgres) await closeDatabase(await getDb());
});

describe("semantic cache without pgvector", () => {
  it.runIf(!onPostgres)("the migrations apply to a database without the vector extension and create no semantic_cache table", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const client = new PGlite();
    try {
      const db = drizzle(client);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      expect(await hasSemanticCacheTable(db as never)).toBe(false);
      // The rest of the schema is there (the migration after the guarded block ran too).
      const indexes = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_indexes where indexname = 'audit_log_semantic_created_idx'",
      );
      expect(indexes.rows[0]!.n).toBe(1);
    } finally {
      await client.close();
    }
  });

  it.runIf(onPostgres)(
    "switches itself off with one log line; the exact cache still answers; no embedding is called or reserved",
    async () => {
      const warn = vi.spyOn(console, "warn");
      expect(await hasSemanticCacheTable(await getDb())).toBe(false);
      const user = await newUser();
      const label = tag();
      const text = `Our team closed 340 tickets in March and customers were happy with the new widget. [[tag:${label}]]`;
      expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: false } });
      expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: true } });
      expect(await summarize(user, { text: text.replace("and customers", "and the customers") })).toMatchObject({
        ok: true,
        data: { cacheHit: false },
      });
      expect(fake.stats(label)).toMatchObject({ chat: 2, embeddings: 0 });
      const offLines = warn.mock.calls.filter(([line]) => String(line).startsWith("[semantic-cache] off"));
      expect(offLines).toHaveLength(1);
      const rows = await auditRows(user.id);
      expect(rows.map((row) => (row.details as { cache?: string }).cache ?? null)).toEqual([null, "exact", null]);
      for (const row of rows) expect(row.details).not.toHaveProperty("embeddingTokens");
      warn.mockRestore();

      // A thumbs-down on the exact hit still evicts it from the exact cache.
      const { sendFeedbackAction } = await import("@/components/chat/feedback-action");
      session.user = user;
      const form = new FormData();
      form.set("requestId", rows[1]!.requestId);
      form.set("rating", "down");
      expect(await sendFeedbackAction(null, form)).toMatchObject({ ok: true });
      expect(await summarize(user, { text })).toMatchObject({ ok: true, data: { cacheHit: false } });
      expect(fake.stats(label).chat).toBe(3);
    },
  );
});
