import "server-only";
import { sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { rowsOf } from "@/db/rows";
import { semanticCache } from "@/db/schema";

// The semantic cache's table (created by migration 0006 only where pgvector exists). Every
// read matches the scope key, the owner and the lexical key in its WHERE clause: an entry of
// another scope is never a candidate, whatever its similarity.

/** Whether this database has the semantic cache's table (and so the vector extension). */
export async function hasSemanticCacheTable(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ ready: boolean }>(await db.execute(sql`select to_regclass('semantic_cache') is not null as ready`));
  return row?.ready === true;
}

const vectorLiteral = (vector: number[]) => `[${vector.join(",")}]`;

export type SemanticMatch = { id: number; answer: string; similarity: number };

/**
 * The nearest live entry of this scope with the same lexical key and a cosine similarity of at
 * least `threshold`; null when none. `userId` null: a shared feature's entries (and only those).
 */
export async function findSemanticMatch(query: {
  scopeKey: string;
  lexicalKey: string;
  userId: string | null;
  vector: number[];
  threshold: number;
}): Promise<SemanticMatch | null> {
  const db = await getDb();
  const probe = vectorLiteral(query.vector);
  const owner = query.userId === null ? sql`user_id is null` : sql`user_id = ${query.userId}`;
  const [row] = rowsOf<{ id: number | string; answer: string; distance: number | string }>(
    await db.execute(sql`
      select id, answer, embedding <=> ${probe}::vector as distance
      from semantic_cache
      where scope_key = ${query.scopeKey} and ${owner} and lexical_key = ${query.lexicalKey}
        and expires_at > now() and embedding <=> ${probe}::vector <= ${1 - query.threshold}
      order by embedding <=> ${probe}::vector
      limit 1`),
  );
  return row ? { id: Number(row.id), answer: row.answer, similarity: 1 - Number(row.distance) } : null;
}

export async function insertSemanticEntry(entry: {
  scopeKey: string;
  lexicalKey: string;
  userId: string | null;
  feature: string;
  model: string;
  promptVersion: string;
  requestId: string;
  answer: string;
  vector: number[];
  ttlSeconds: number;
}): Promise<void> {
  const db = await getDb();
  await db.insert(semanticCache).values({
    scopeKey: entry.scopeKey,
    lexicalKey: entry.lexicalKey,
    userId: entry.userId,
    feature: entry.feature,
    model: entry.model,
    promptVersion: entry.promptVersion,
    requestId: entry.requestId,
    answer: entry.answer,
    embedding: entry.vector,
    expiresAt: new Date(Date.now() + entry.ttlSeconds * 1000),
  });
}

/**
 * A thumbs-down on one of the user's answers (the caller has checked the request is theirs):
 * drops every cache entry that answer came from or went into. That is the semantic entry it
 * was served from (its audit row records the entry's id) and that entry's exact-cache key, and
 * the entries stored by the requests that share the answer's exact-cache key (the one that
 * stored what an exact hit served; the user's own rows of the cache's lifetime). Returns the
 * exact-cache keys to delete from Redis.
 */
export async function evictCacheEntriesFor(requestId: string, userId: string): Promise<{ removed: number; exactKeys: string[] }> {
  const db = await getDb();
  const [voted] = rowsOf<{ details: Record<string, unknown> | null }>(
    await db.execute(sql`select details from audit_log where request_id = ${requestId}::uuid and user_id = ${userId}`),
  );
  if (!voted) return { removed: 0, exactKeys: [] };
  const cacheKey = typeof voted.details?.cacheKey === "string" ? voted.details.cacheKey : null;
  const origins = [requestId];
  if (cacheKey) {
    const sameKey = rowsOf<{ request_id: string }>(
      await db.execute(sql`
        select request_id from audit_log
        where user_id = ${userId} and created_at > now() - interval '25 hours' and details->>'cacheKey' = ${cacheKey}`),
    );
    origins.push(...sameKey.map((row) => row.request_id));
  }
  const exactKeys = cacheKey ? [cacheKey] : [];
  let removed = 0;
  if (await hasSemanticCacheTable(db)) {
    const owner = sql`(user_id = ${userId} or user_id is null)`;
    const entryId = Number(voted.details?.semanticEntryId);
    if (Number.isInteger(entryId)) {
      // The entry served; the request that stored it also stored the answer in the exact cache.
      const served = rowsOf<{ request_id: string }>(
        await db.execute(sql`delete from semantic_cache where id = ${entryId} and ${owner} returning request_id`),
      );
      removed += served.length;
      for (const { request_id: origin } of served) {
        const [row] = rowsOf<{ key: string | null }>(
          await db.execute(sql`select details->>'cacheKey' as key from audit_log where request_id = ${origin}::uuid`),
        );
        if (row?.key) exactKeys.push(row.key);
      }
    }
    const list = sql.join(
      origins.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    removed += rowsOf(await db.execute(sql`delete from semantic_cache where request_id in (${list}) and ${owner} returning id`)).length;
  }
  return { removed, exactKeys };
}

/**
 * Housekeeping: deletes expired entries and those of a prompt version no longer current
 * (`currentVersions`: feature → its prompt version; a feature not listed has no live entries).
 */
export async function sweepSemanticCache(currentVersions: Record<string, string>): Promise<number> {
  const db = await getDb();
  if (!(await hasSemanticCacheTable(db))) return 0;
  const current = JSON.stringify(currentVersions);
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      delete from semantic_cache
      where expires_at <= now() or prompt_version is distinct from (${current}::jsonb ->> feature)
      returning id`),
  );
  return rows.length;
}
