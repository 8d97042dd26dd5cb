import { randomUUID } from "node:crypto";
import type { ActionFeature } from "@/lib/guard/feature";
import { readNdjson } from "@/lib/http/ndjson";
import { fromChatCompletionsUsage, usageCostMicros } from "@/lib/ai/usage";
import { asUser, session, type TestUser } from "./session-mock";

// The guard's in-process test harness: users, the chat route's handler and the structured
// tool called as the browser would, and the rows they leave. The session comes from
// tests/support/session-mock.ts: a test file mocks "@/lib/auth/session-user" with it and imports
// the app after setting its env.

let ipCounter = 0;
/** What a Chat Completions answer costs whose usage reports no cached input and no reasoning (the fake OpenAI's, unless told otherwise). */
export const plainCostMicros = (model: string, promptTokens: number, completionTokens: number) =>
  usageCostMicros(model, fromChatCompletionsUsage({ prompt_tokens: promptTokens, completion_tokens: completionTokens }));

export const freshIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

export const tag = () => `t${randomUUID().slice(0, 8)}`;
export const message = (label: string, extra = "") => `Hello ${extra} [[tag:${label}]]`;

/**
 * A user row as the guard will read it: a proven address unless asked otherwise. An admin is
 * one whose proven address is in ADMIN_EMAILS (lib/auth/roles.ts): pass that address as `email`.
 */
export async function newUser(
  options: {
    plan?: "free" | "pro";
    role?: "user" | "admin";
    emailVerified?: boolean;
    email?: string;
    /** A real (argon2id) hash of it, for tests that log in; without it the hash is a placeholder. */
    password?: string;
  } = {},
): Promise<TestUser> {
  const { getDb } = await import("@/db");
  const { subscriptions } = await import("@/db/schema");
  const { insertPasswordUser, markEmailVerified } = await import("@/db/queries/users");
  const row = await insertPasswordUser({
    email: options.email ?? `guard-${randomUUID()}@example.com`,
    name: null,
    passwordHash: options.password === undefined ? "x" : await (await import("@/lib/auth/password")).hashPassword(options.password),
    role: options.role ?? "user",
  });
  if (!row) throw new Error("newUser: the address is taken");
  if (options.emailVerified ?? true) await markEmailVerified(row.id, row.email!);
  if (options.plan === "pro") {
    const db = await getDb();
    await db.insert(subscriptions).values({ userId: row!.id, plan: "pro", status: null });
  }
  return {
    id: row!.id,
    email: row!.email!,
    name: null,
    role: options.role ?? "user",
    hasPassword: true,
    emailVerified: options.emailVerified ?? true,
  };
}

export type ChatCall = {
  status: number;
  events: Array<Record<string, unknown>>;
  body: Record<string, unknown> | null;
  settled: Promise<unknown>;
};

/** One POST to the chat route's handler, as the browser would send it; `settled` waits for the audit. */
export async function chat(
  user: TestUser | null,
  body: Record<string, unknown>,
  options: { origin?: string; signal?: AbortSignal; onText?: () => void; ip?: string } = {},
): Promise<ChatCall> {
  const { chat: chatFeature } = await import("@/lib/chat/feature");
  session.user = user;
  const deferred: Promise<void>[] = [];
  const request = new Request("http://localhost:3000/api/chat", {
    method: "POST",
    headers: {
      host: "localhost:3000",
      origin: options.origin ?? "http://localhost:3000",
      "content-type": "application/json",
      "x-forwarded-for": options.ip ?? freshIp(),
      "content-length": String(Buffer.byteLength(JSON.stringify(body))),
    },
    body: JSON.stringify(body),
    signal: options.signal,
  });
  const response = await asUser(user, () => chatFeature.handle(request, (task) => deferred.push(task())));
  const events: Array<Record<string, unknown>> = [];
  let json: Record<string, unknown> | null = null;
  if (response.headers.get("content-type")?.includes("ndjson")) {
    try {
      for await (const event of readNdjson<Record<string, unknown>>(response.body!)) {
        events.push(event);
        if (event.type === "text") options.onText?.();
      }
    } catch (error) {
      // Only the test's own abort may end the read early; anything else (a stream the server
      // broke, a bad line) fails the test instead of passing as "aborted".
      if (!options.signal?.aborted) throw error;
    }
  } else {
    json = (await response.json()) as Record<string, unknown>;
  }
  return { status: response.status, events, body: json, settled: Promise.all(deferred) };
}

/** The structured tool, as its server action runs it (the form's fields); waits for the audit row. */
export async function summarize(user: TestUser, fields: Record<string, string>) {
  const { summarize: feature } = await import("@/lib/tools/summarize");
  return runAction(feature, user, fields);
}

/** A json or text feature's request (lib/guard/feature.ts), with a fresh token unless `fields` has one; waits for the audit row. */
export async function runAction<Answer>(
  feature: ActionFeature<Answer>,
  user: TestUser | null,
  fields: Record<string, unknown>,
  options: { ip?: string } = {},
) {
  const { issueRequestToken } = await import("@/lib/guard/request-token");
  session.user = user;
  const deferred: Promise<void>[] = [];
  const result = await asUser(user, () =>
    feature.run({
      raw: { ...(user && { token: issueRequestToken(user.id) }), ...fields },
      headers: new Headers({ "x-forwarded-for": options.ip ?? freshIp() }),
      signal: new AbortController().signal,
      defer: (task) => deferred.push(task()),
    }),
  );
  await Promise.all(deferred);
  return result;
}

export async function auditRows(userId: string) {
  const { getDb } = await import("@/db");
  const { auditLog } = await import("@/db/schema");
  const { asc, eq } = await import("drizzle-orm");
  const db = await getDb();
  return db.select().from(auditLog).where(eq(auditLog.userId, userId)).orderBy(asc(auditLog.id));
}

export async function usageRow(userId: string) {
  const { getDb } = await import("@/db");
  const { usageDaily } = await import("@/db/schema");
  const { utcDay } = await import("@/lib/time");
  const { and, eq } = await import("drizzle-orm");
  const db = await getDb();
  const [row] = await db
    .select()
    .from(usageDaily)
    .where(and(eq(usageDaily.userId, userId), eq(usageDaily.day, utcDay())));
  return row ?? { requests: 0, tokensUsed: 0, tokensReserved: 0, costMicros: 0 };
}

/** Reservations still held for a user (none once every request has settled). */
export async function heldReservations(userId: string) {
  const { getDb } = await import("@/db");
  const { reservations } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  const db = await getDb();
  return db.select().from(reservations).where(eq(reservations.userId, userId));
}
