// What the benchmark sends: users on the pro plan with valid sessions, one fresh one-time token
// per request, a client address of its own per request, and timed reads of each answer.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hash } from "@node-rs/argon2";
import { decode, encode } from "next-auth/jwt";
import type postgres from "postgres";
import { countTextTokens } from "../lib/ai/tokens";
import { requestTokenKey, signRequestToken } from "../lib/guard/request-token-codec";
import { SENTINELS } from "../tests/support/sentinels";

export type User = { id: string; cookie: string };

/**
 * A user may make this many guarded requests in the whole run: below the pro plan's 30 a
 * minute, however fast they come, and far below its daily limits. More load takes more users,
 * never a higher limit.
 */
export const USES_PER_USER = 25;
const PASSWORD = "bench password 123";

const tokenKey = requestTokenKey(SENTINELS.AUTH_SECRET);
export const requestToken = (user: User) => signRequestToken(tokenKey, user.id);

let ipCounter = 0;
/** A new client address per request (the server trusts one proxy: TRUSTED_PROXY=1), so the per-IP limit never binds. */
export const nextIp = () => {
  const n = ++ipCounter;
  return `10.${100 + (Math.floor(n / 62_500) % 100)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
};

/**
 * `count` verified pro users. One signs in through Auth.js's credentials endpoint; the others
 * get a session cookie minted like it (the same claims, their own user id), which is what
 * signing in would give them, without 400 password hashes on a 2-core machine.
 */
export async function createUsers(sql: postgres.Sql, base: string, count: number): Promise<User[]> {
  const passwordHash = await hash(PASSWORD);
  const stamp = Date.now().toString(36);
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${stamp}-${i}@example.com`,
    password_hash: passwordHash,
    email_verified: new Date(),
  }));
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500);
    await sql`insert into users ${sql(batch)}`;
    await sql`insert into subscriptions ${sql(batch.map((row) => ({ user_id: row.id, plan: "pro" })))}`;
  }
  const signedIn = await logIn(base, rows[0]!.email);
  const [cookieName, cookieValue] = signedIn.split(/=(.*)/s) as [string, string];
  const template = await decode({ token: cookieValue, secret: SENTINELS.AUTH_SECRET, salt: cookieName });
  if (!template?.sub) throw new Error("could not read the signed-in session cookie");
  // encode() sets its own issue time, expiry and id.
  const claims = Object.fromEntries(Object.entries(template).filter(([name]) => !["iat", "exp", "jti"].includes(name)));
  const users: User[] = [{ id: rows[0]!.id, cookie: signedIn }];
  for (const row of rows.slice(1)) {
    const value = await encode({ token: { ...claims, sub: row.id, email: row.email }, secret: SENTINELS.AUTH_SECRET, salt: cookieName });
    users.push({ id: row.id, cookie: `${cookieName}=${value}` });
  }
  return users;
}

async function logIn(base: string, email: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  // proxy.ts and the route both set a CSRF cookie; the browser keeps the last one per name.
  const jar = new Map(csrf.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: Array.from(jar, ([name, value]) => `${name}=${value}`).join("; "),
      "x-forwarded-for": nextIp(),
    },
    body: new URLSearchParams({ email, password: PASSWORD, csrfToken, callbackUrl: base }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.includes("session-token="));
  if (!session) throw new Error(`log-in failed: ${response.status} ${response.headers.get("location")}`);
  return session.split(";")[0]!;
}

/**
 * Hands out users for one scenario, each to at most `usesPerUser` requests. `spread` users
 * take turns (one per concurrent connection), so concurrent requests never queue on one
 * user's usage row, as they would not with real traffic.
 */
export class UserLease {
  private served = 0;
  readonly used = new Set<string>();
  /** Requests that found no fresh user left (they reuse one and may be rate limited). */
  overdrawn = 0;

  constructor(
    private readonly users: User[],
    private readonly spread = 1,
    private readonly usesPerUser = USES_PER_USER,
  ) {}

  next(): User {
    const n = this.served++;
    const block = this.spread * this.usesPerUser;
    let index = Math.floor(n / block) * this.spread + (n % this.spread);
    if (index >= this.users.length) {
      this.overdrawn++;
      index %= this.users.length;
    }
    const user = this.users[index]!;
    this.used.add(user.id);
    return user;
  }
}

/** Splits the users into consecutive groups of the given sizes (each scenario its own users). */
export function splitUsers(users: User[], sizes: Record<string, number>): Record<string, User[]> {
  const groups: Record<string, User[]> = {};
  let at = 0;
  for (const [name, size] of Object.entries(sizes)) {
    groups[name] = users.slice(at, at + size);
    at += size;
  }
  if (at > users.length) throw new Error(`need ${at} users, have ${users.length}`);
  return groups;
}

/** One conversation per id with `messages` stored turns (user and assistant in turn), owned by the user. */
export async function seedConversations(sql: postgres.Sql, owners: User[], messages: number): Promise<string[]> {
  const conversations = owners.map((owner) => ({ id: randomUUID(), user_id: owner.id, title: "Benchmark history" }));
  const rows = conversations.flatMap((conversation) =>
    Array.from({ length: messages }, (_, i) => {
      const content =
        i % 2 === 0
          ? `Question ${i / 2 + 1}: how would you size a connection pool for a serverless function that talks to Postgres?`
          : `Answer ${(i + 1) / 2}: keep it small, one or two connections per instance, behind the provider's pooler, and measure.`;
      return { conversation_id: conversation.id, role: i % 2 === 0 ? "user" : "assistant", content, token_count: countTextTokens(content) };
    }),
  );
  for (let i = 0; i < conversations.length; i += 500) await sql`insert into conversations ${sql(conversations.slice(i, i + 500))}`;
  for (let i = 0; i < rows.length; i += 2000) await sql`insert into messages ${sql(rows.slice(i, i + 2000))}`;
  return conversations.map((conversation) => conversation.id);
}

// ---- requests -------------------------------------------------------------------------------

export type Prepared = { method: "POST"; path: string; headers: Record<string, string>; body: string };

export function chatRequest(base: string, user: User, message: string, conversationId?: string): Prepared {
  return {
    method: "POST",
    path: "/api/chat",
    headers: { "content-type": "application/json", origin: base, cookie: user.cookie, "x-forwarded-for": nextIp() },
    body: JSON.stringify({ ...(conversationId && { conversationId }), message, token: requestToken(user) }),
  };
}

/** The unguarded routes, with the same session cookie as the guarded ones so proxy.ts does the same work. */
export function bareRequest(path: "/api/bench/bare" | "/api/bench/constant", user: User, message: string): Prepared {
  return { method: "POST", path, headers: { "content-type": "application/json", cookie: user.cookie }, body: JSON.stringify({ message }) };
}

/** The structured tool's server action, posted as the browser posts it (multipart form). */
export function summarizeRequest(base: string, action: SummarizeAction, user: User, text: string): Prepared {
  const boundary = `----bench${randomUUID().replaceAll("-", "")}`;
  const fields: Array<[string, string]> = [
    ["_1_text", text],
    ["_1_token", requestToken(user)],
    ["0", JSON.stringify([null, "$K1"])],
  ];
  const body = `${fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("")}--${boundary}--\r\n`;
  return {
    method: "POST",
    path: action.path,
    headers: {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "Next-Action": action.id,
      cookie: user.cookie,
      origin: base,
      "x-forwarded-for": nextIp(),
    },
    body,
  };
}

export type SummarizeAction = { id: string; path: string };

/** The structured tool's action id, from the build's manifest. */
export function findSummarizeAction(): SummarizeAction {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  const id = Object.entries(manifest.node).find(([, entry]) => /^summarize/i.test(entry.exportedName))?.[0];
  if (!id) throw new Error("the summarize action is not in the build");
  return { id, path: "/tools/summarize" };
}

export const isServedChat = (body: string) => body.includes('"type":"done"') && !body.includes('"type":"error"');
export const isSummary = (body: string) => body.includes('"ok":true');
export const isCacheHit = (body: string) => isSummary(body) && body.includes('"cacheHit":true');

export type Timed = { status: number; body: string; ttftMs: number; totalMs: number };

/**
 * Sends a request and times it: to the first `text` event of an NDJSON answer (time to first
 * token; for a non-streamed answer, the whole body) and to the end of the body.
 */
export async function timed(base: string, request: Prepared): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let body = "";
  let ttftMs = NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    body += decoder.decode(value, { stream: true });
    if (Number.isNaN(ttftMs) && body.includes('"type":"text"')) ttftMs = performance.now() - started;
  }
  const totalMs = performance.now() - started;
  return { status: response.status, body, ttftMs: Number.isNaN(ttftMs) ? totalMs : ttftMs, totalMs };
}
