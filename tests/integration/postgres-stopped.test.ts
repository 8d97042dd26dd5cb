import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { inject } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { createRunDatabase } from "../support/test-database";

// PostgreSQL stopped during a burst, on a cluster of this file's own (initdb into a temporary
// directory, never the shared server): chat and the structured tool refuse with 503 and a clear
// message, the model is never called while it is down, and service resumes by itself once it
// is back, with the same app modules (no restart). Real-services pass only, where PostgreSQL's
// binaries are installed. Only the session is stubbed.

type TestUser = { id: string; email: string; name: null; role: "user" };
const session = vi.hoisted(() => ({ user: null as TestUser | null }));
vi.mock("@/lib/auth/session-user", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/session-user")>()),
  getSessionUser: async () => session.user,
  requireUser: async () => session.user,
  // The cookie's claims (every test user keeps session version 0); the guard judges them against the user row.
  getSessionClaims: async () => (session.user ? { userId: session.user.id, sessionVersion: 0, signedInAt: Math.floor(Date.now() / 1000) } : null),
  readSession: async () => (session.user ? { user: { ...session.user, emailVerified: true, hasPassword: true } } : { user: null, refusal: "unauthorized" }),
}));

const binDir = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").map((version) => `/usr/lib/postgresql/${version}/bin`).find((dir) => existsSync(`${dir}/pg_ctl`)) : undefined;
const enabled = Boolean(inject("databaseUrl") && binDir);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// initdb and pg_ctl refuse to run as root: run them as the postgres user.
const asPostgres = (() => {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return process.getuid?.() === 0 ? { uid, gid } : {};
  } catch {
    return {};
  }
})();
const dataDir = enabled ? mkdtempSync(path.join(tmpdir(), "pg-stopped-")) : "";
const port = enabled ? await freePort() : 0;
const pgCtl = (...args: string[]) => execFileSync(`${binDir}/pg_ctl`, ["-D", dataDir, "-w", ...args], { ...asPostgres, stdio: "ignore" });
const startPostgres = () => pgCtl("-o", `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", `${dataDir}/log`, "start");
const stopPostgres = () => pgCtl("-m", "immediate", "stop");

const fake = await startFakeOpenAI({ wordDelayMs: 0 });
let dropDatabase: (() => Promise<void>) | undefined;
if (enabled) {
  if ("uid" in asPostgres) chownSync(dataDir, asPostgres.uid!, asPostgres.gid!);
  execFileSync(`${binDir}/initdb`, ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync"], { ...asPostgres, stdio: "ignore" });
  startPostgres();
  const database = await createRunDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, `stopped_${Date.now()}`);
  dropDatabase = database.drop;
  process.env.DATABASE_URL = database.url;
}
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "postgres-stopped-test-secret" });
vi.spyOn(console, "error").mockImplementation(() => {}); // the app logs each failed query and audit write

afterAll(async () => {
  await fake.close();
  if (!enabled) return;
  await (await import("@/db")).getDb().then((db) => (db as unknown as { $client: { end: () => Promise<void> } }).$client.end()).catch(() => {});
  await dropDatabase?.().catch(() => {});
  try {
    pgCtl("-m", "immediate", "stop");
  } catch {
    // already stopped
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!enabled)("PostgreSQL stopped during a burst, then started again (real-services pass, own cluster)", () => {
  it("chat and the structured tool refuse with 503 and a clear message, call no model while it is down, and serve again once it is back", async () => {
    const { insertPasswordUser, markEmailVerified } = await import("@/db/queries/users");
    const { chat: chatFeature } = await import("@/lib/chat/feature");
    const { issueRequestToken } = await import("@/lib/guard/request-token");
    const { summarize: summarizeFeature } = await import("@/lib/tools/summarize");
    const { ERROR_CODES } = await import("@/lib/errors");

    const row = await insertPasswordUser({ email: `stopped-${randomUUID()}@example.com`, name: null, passwordHash: "x", role: "user" });
    await markEmailVerified(row!.id, row!.email!);
    const user: TestUser = { id: row!.id, email: row!.email!, name: null, role: "user" };
    session.user = user;
    const label = `p${randomUUID().slice(0, 8)}`;
    let ip = 0;
    const headers = () => ({ host: "localhost:3000", origin: "http://localhost:3000", "content-type": "application/json", "x-forwarded-for": `198.21.0.${++ip}` });
    const chat = async (text: string) => {
      const body = JSON.stringify({ message: `${text} [[tag:${label}]]`, token: issueRequestToken(user.id) });
      const response = await chatFeature.handle(
        new Request("http://localhost:3000/api/chat", { method: "POST", headers: { ...headers(), "content-length": String(Buffer.byteLength(body)) }, body }),
        (task) => void task().catch(() => {}),
      );
      return { status: response.status, body: await response.text() };
    };
    const summarize = (text: string) =>
      summarizeFeature.run({ raw: { token: issueRequestToken(user.id), text: `${text} [[tag:${label}]]` }, headers: new Headers(headers()), signal: new AbortController().signal, defer: (task) => void task().catch(() => {}) });

    expect((await chat("Before")).status).toBe(200);
    expect(fake.stats(label).chat).toBe(1);

    stopPostgres();
    const chats = await Promise.all(Array.from({ length: 6 }, (_, i) => chat(`During ${i}`)));
    for (const reply of chats) {
      expect(reply.status).toBe(503);
      expect(JSON.parse(reply.body)).toMatchObject({ error: { code: "service_unavailable", message: ERROR_CODES.service_unavailable.message } });
    }
    const tools = await Promise.all(Array.from({ length: 4 }, (_, i) => summarize(`During ${i}`)));
    for (const result of tools) expect(result).toMatchObject({ ok: false, error: { code: "service_unavailable" } });
    expect(fake.stats(label).chat).toBe(1);

    startPostgres();
    // Served again at once: the requests refused during the outage had counted in the rate-limit
    // windows (Redis answered) and were given back (lib/guard/steps/lookup.ts), so the outage
    // used up none of this free user's 5 a minute.
    await expect.poll(async () => (await chat(`After ${randomUUID()}`)).status, { timeout: 20_000, interval: 300 }).toBe(200);
    expect((await summarize(`After ${randomUUID()}`)).ok).toBe(true);
  }, 90_000);
});
