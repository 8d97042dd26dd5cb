import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { requestTokenKey, signRequestToken } from "../../lib/guard/request-token-codec";
import { e2eSql, fakeOpenAIPort } from "../e2e/database";
import { signUp } from "../e2e/helpers";
import { SENTINELS } from "../support/sentinels";

// Helpers for the guard's HTTP tests: a signed-up user, tokens minted with the server's
// (sentinel) secret, and the fake OpenAI server's counters.

export type FakeStats = {
  chat: number;
  moderations: number;
  aborts: number;
  completed: number;
  billed: { promptTokens: number; completionTokens: number };
  last?: Record<string, unknown>;
};

export async function fakeStats(tag: string): Promise<FakeStats> {
  const response = await fetch(`http://127.0.0.1:${fakeOpenAIPort()}/__control/stats?tag=${tag}`);
  return (await response.json()) as FakeStats;
}

export const newTag = () => `e${randomUUID().slice(0, 8)}`;

export { randomIp } from "../e2e/helpers";

const key = requestTokenKey(SENTINELS.AUTH_SECRET);
export const mintToken = (userId: string) => signRequestToken(key, userId);

export async function signUpAndGetId(page: Page): Promise<{ id: string; email: string }> {
  const credentials = await signUp(page);
  const sql = e2eSql();
  try {
    const [row] = await sql<{ id: string }[]>`select id from users where email = ${credentials.email}`;
    return { id: row!.id, email: credentials.email };
  } finally {
    await sql.end();
  }
}

export async function postChat(request: APIRequestContext, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return request.post("/api/chat", {
    data: body,
    headers: { origin: new URL(process.env.E2E_BASE_URL ?? `http://localhost:${process.env.E2E_PORT ?? "3100"}`).origin, ...headers },
    failOnStatusCode: false,
  });
}

export async function expectRefused(response: Awaited<ReturnType<typeof postChat>>, status: number, code: string) {
  expect(response.status(), await response.text()).toBe(status);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
}
