import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

// One database API over two drivers: postgres.js when DATABASE_URL is set (self-hosted, CI,
// Neon, Supabase) and PGlite otherwise (zero-configuration development and tests).
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

async function connectPostgres(url: string): Promise<Db> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { withDeadlines } = await import("./query-deadline");
  // Prepared statements are off by default: behind a transaction-mode pooler without support for
  // them (Supabase's, pgbouncer < 1.21) a statement prepared on one server connection is missing on
  // the next. Off costs a round trip per parameterized statement (postgres.js asks the server for
  // the parameter types first), so DATABASE_PREPARE=on wherever they work (README, Deploying).
  // No pipelining (`max_pipeline: 0`): behind a transaction-mode pooler a query pipelined behind
  // another is answered after the pooler has handed the server connection to someone else
  // (pgbouncer 1.18 drops the reply: "got packet from server when not linked") and its request
  // waits forever. A transaction's BEGIN needs patches/postgres+3.4.9.patch to work without it.
  const prepare = env.DATABASE_PREPARE === "on";
  const client = postgres(url, {
    max: env.DATABASE_POOL_MAX,
    prepare,
    ...{ max_pipeline: 0 }, // a real option, missing from postgres.js's types
    connect_timeout: Math.ceil(env.DATABASE_QUERY_TIMEOUT_MS / 1000),
    onnotice: () => {},
  });
  // Every query and transaction fails after DATABASE_QUERY_TIMEOUT_MS (db/query-deadline.ts).
  return drizzle(withDeadlines(preparedByDefault(client, prepare), env.DATABASE_QUERY_TIMEOUT_MS), { schema }) as unknown as Db;
}

/**
 * drizzle runs every statement through postgres.js's `unsafe` with `prepare: false` unless the
 * query was given a name, so the client's own `prepare` option never applies to it: this makes
 * `unsafe` follow DATABASE_PREPARE instead.
 */
function preparedByDefault(client: Sql, prepare: boolean): Sql {
  const unsafe = client.unsafe.bind(client);
  return Object.assign(client, {
    unsafe: (query: string, params?: unknown, options?: object) =>
      Array.isArray(params) ? unsafe(query, params, { ...options, prepare }) : unsafe(query, [], { ...(params as object), prepare }),
  }) as Sql;
}

async function openEmbedded(dataDir: string): Promise<Db> {
  if (env.NODE_ENV === "production") {
    throw new Error("DATABASE_URL is required in production; the embedded PGlite database is for development.");
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  if (dataDir !== "memory://") mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  // pgvector for the semantic cache (lib/semantic); the migration creates the extension.
  const { vector } = await import("@electric-sql/pglite-pgvector");
  const extensions = { vector };
  const client = dataDir === "memory://" ? new PGlite({ extensions }) : new PGlite(path.resolve(dataDir), { extensions });
  const db = drizzle(client, { schema });
  // The embedded database is always brought up to date, so `npm run dev` needs no setup step.
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db as unknown as Db;
}

// Cached on globalThis so that Next's hot reload in development reuses one pool / one PGlite.
const globalForDb = globalThis as unknown as { dbPromise?: Promise<Db> };

export function getDb(): Promise<Db> {
  if (!globalForDb.dbPromise) {
    const opening = env.DATABASE_URL ? connectPostgres(env.DATABASE_URL) : openEmbedded(env.PGLITE_DIR);
    // A failed start (database down, bad migration) is retried on the next call, not cached.
    opening.catch(() => (globalForDb.dbPromise = undefined));
    globalForDb.dbPromise = opening;
  }
  return globalForDb.dbPromise;
}

export { schema };
