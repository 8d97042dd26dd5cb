import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { inject } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { startDelayProxy, type DelayProxy } from "../support/delay-proxy";

// A slow PostgreSQL: every statement held 500 ms by a TCP proxy in front of this run's database.
// Requests get slower, but they finish (no hang) and the quota stays exact: a burst against
// the last 3 requests of the day admits exactly 3. Real PostgreSQL only (the embedded pass has
// no network between the app and PGlite, so nothing to stall).

type TestUser = { id: string; email: string; name: null; role: "user"; hasPassword: boolean; emailVerified: boolean };
const session = vi.hoisted(() => ({ user: null as TestUser | null }));
vi.mock("@/lib/auth/session-user", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/session-user")>()),
  getSessionUser: async () => session.user,
  requireUser: async () => session.user,
  // The cookie's claims (every test user keeps session version 0); the guard judges them against the user row.
  getSessionClaims: async () => (session.user ? { userId: session.user.id, sessionVersion: 0, signedInAt: Math.floor(Date.now() / 1000) } : null),
  readSession: async () => (session.user ? { user: { ...session.user, emailVerified: true, hasPassword: true } } : { user: null, refusal: "unauthorized" }),
}));

const databaseUrl = inject("databaseUrl");
let proxy: DelayProxy | undefined;
if (databaseUrl) {
  const direct = new URL(databaseUrl);
  proxy = await startDelayProxy(Number(direct.port || 5432));
  direct.host = `127.0.0.1:${proxy.port}`;
  process.env.DATABASE_URL = direct.toString();
}
const fake = await startFakeOpenAI({ wordDelayMs: 0 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "postgres-slow-test-secret" });

afterAll(async () => {
  await fake.close();
  if (databaseUrl) await closeDatabase(await (await import("@/db")).getDb());
  await proxy?.close();
});

describe.skipIf(!databaseUrl)("PostgreSQL stalled 500 ms per statement (real PostgreSQL only)", () => {
  it("a burst finishes without hanging, and the quota admits exactly the 3 requests left", async () => {
    const { getDb } = await import("@/db");
    const { auditLog, subscriptions, usageDaily } = await import("@/db/schema");
    const { insertPasswordUser, markEmailVerified } = await import("@/db/queries/users");
    const { issueRequestToken } = await import("@/lib/guard/request-token");
    const { summarize } = await import("@/lib/tools/summarize");
    const { PLANS } = await import("@/lib/plans");
    const { utcDay } = await import("@/lib/time");
    const { eq } = await import("drizzle-orm");

    const db = await getDb();
    const row = await insertPasswordUser({ email: `slow-${randomUUID()}@example.com`, name: null, passwordHash: "x", role: "user" });
    await markEmailVerified(row!.id, row!.email!);
    const user: TestUser = { id: row!.id, email: row!.email!, name: null, role: "user", hasPassword: true, emailVerified: true };
    await db.insert(subscriptions).values({ userId: user.id, plan: "pro", status: null });
    await db.insert(usageDaily).values({ userId: user.id, day: utcDay(), requests: PLANS.pro.requestsPerDay - 3 });
    const label = `s${randomUUID().slice(0, 8)}`;

    proxy!.delayMs = 500;
    session.user = user;
    const deferred: Promise<void>[] = [];
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        summarize.run({ raw: { token: issueRequestToken(user.id), text: `Slow database ${i} [[tag:${label}]]` }, headers: new Headers({ "x-forwarded-for": `198.20.0.${i + 1}` }), signal: new AbortController().signal, defer: (task) => deferred.push(task()) }),
      ),
    );
    await Promise.all(deferred);
    proxy!.delayMs = 0;

    expect(burst.filter((result) => result.ok)).toHaveLength(3);
    for (const result of burst.filter((r) => !r.ok)) expect(result).toMatchObject({ error: { code: "quota_exceeded" } });
    expect(fake.stats(label).chat).toBe(3);
    const [usage] = await db.select().from(usageDaily).where(eq(usageDaily.userId, user.id));
    expect(usage).toMatchObject({ requests: PLANS.pro.requestsPerDay, tokensReserved: 0 });
    expect(await db.select().from(auditLog).where(eq(auditLog.userId, user.id))).toHaveLength(8);
  }, 90_000);
});
