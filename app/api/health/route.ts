import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { redis } from "@/lib/redis";

// Public on purpose (load balancers and uptime checks have no session): it says only whether
// the database and Redis answer, nothing about users.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const [database, store] = await Promise.allSettled([getDb().then((db) => db.execute(sql`select 1`)), redis.ping()]);
  const ok = database.status === "fulfilled" && store.status === "fulfilled";
  return Response.json(
    { ok, database: database.status === "fulfilled", redis: store.status === "fulfilled" },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
