import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";
import { parseNdjson } from "../../lib/http/ndjson";
import { e2eSql } from "../e2e/database";
import { actionId, postAction } from "../e2e/server-actions";
import { SENTINELS } from "../support/sentinels";
import { expectRefused, mintToken, newTag, postChat, randomIp, signUpAndGetId } from "./support";

// A session is only as good as the user row behind it: a blocked, deleted or revoked user's
// cookie, still cryptographically valid, is refused by the chat route and by every guarded
// action, over HTTP without the UI; and a cookie lives 30 days from sign-in, however often
// Auth.js's session endpoint re-signs it.

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

// Production (the build under test) names the cookie __Secure-… and accepts no other name.
const COOKIE = "__Secure-authjs.session-token";

/** One chat turn (creating a conversation) and a rename of it: both need a live session. */
async function chatAndRename(request: APIRequestContext, userId: string, conversationId?: string) {
  const chat = await postChat(request, {
    message: `Hello [[tag:${newTag()}]]`,
    token: mintToken(userId),
    ...(conversationId && { conversationId }),
  });
  const body = await chat.text();
  const id = conversationId ?? parseNdjson<{ conversationId?: string }>(body)[0]!.conversationId;
  const rename = await postAction(request, "/chat", actionId("renameConversationAction"), {
    conversationId: id ?? crypto.randomUUID(),
    title: "Renamed",
  });
  return { chat, chatBody: body, renameBody: await rename.text(), conversationId: id };
}

async function signedUpWithConversation(page: Page) {
  const user = await signUpAndGetId(page);
  const live = await chatAndRename(page.request, user.id);
  expect(live.chat.status(), live.chatBody).toBe(200);
  expect(live.renameBody).toContain('"ok":true');
  return { ...user, conversationId: live.conversationId! };
}

test("a blocked user's valid cookie is refused as blocked by /api/chat and a guarded action, and the user cannot log in", async ({
  page,
}) => {
  const user = await signedUpWithConversation(page);
  const sql = e2eSql();
  await sql`update users set blocked_at = now() where id = ${user.id}`;
  const refused = await chatAndRename(page.request, user.id, user.conversationId);
  await expectRefused(refused.chat, 403, "account_blocked");
  expect(refused.renameBody).toContain('"code":"account_blocked"');
  expect(refused.renameBody).toContain("This account is blocked");

  // Log-in with the right password says so too (a wrong one says only "incorrect").
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("This account is blocked")).toBeVisible();
  expect((await page.context().cookies()).filter((cookie) => cookie.name.includes("session-token"))).toEqual([]);
  await sql.end();
});

test("a deleted user's or a revoked session's valid cookie is refused by /api/chat and a guarded action", async ({
  page,
  browser,
  baseURL,
}) => {
  const revoked = await signedUpWithConversation(page);
  const sql = e2eSql();
  await sql`update users set session_version = session_version + 1 where id = ${revoked.id}`;
  const afterRevoke = await chatAndRename(page.request, revoked.id, revoked.conversationId);
  await expectRefused(afterRevoke.chat, 401, "unauthorized");
  expect(afterRevoke.renameBody).toContain('"code":"unauthorized"');

  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
  const deleted = await signedUpWithConversation(await context.newPage());
  await sql`delete from users where id = ${deleted.id}`;
  const afterDelete = await chatAndRename(context.request, deleted.id, deleted.conversationId);
  await expectRefused(afterDelete.chat, 401, "unauthorized");
  expect(afterDelete.renameBody).toContain('"code":"unauthorized"');
  await context.close();
  await sql.end();
});

test("a session lasts 30 days from sign-in: the session endpoint does not extend it, and an older cookie is refused everywhere", async ({
  page,
  playwright,
  baseURL,
}) => {
  const user = await signedUpWithConversation(page);
  const [row] = await (async () => {
    const sql = e2eSql();
    try {
      return await sql<{ session_version: number }[]>`select session_version from users where id = ${user.id}`;
    } finally {
      await sql.end();
    }
  })();
  const day = 24 * 60 * 60;
  const now = Math.floor(Date.now() / 1000);
  // A cookie exactly as Auth.js issues it, signed with the server's (sentinel) secret.
  const cookieFor = async (signedInDaysAgo: number) =>
    encode({
      token: { sub: user.id, sv: row!.session_version, auth_time: now - signedInDaysAgo * day },
      secret: SENTINELS.AUTH_SECRET,
      salt: COOKIE,
      maxAge: 30 * day,
    });
  const as = async (cookie: string) =>
    playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${COOKIE}=${cookie}`, "x-forwarded-for": randomIp() } });

  const young = await as(await cookieFor(29));
  const fine = await chatAndRename(young, user.id, user.conversationId);
  expect(fine.chat.status(), fine.chatBody).toBe(200);
  // The session endpoint re-signs the cookie; the sign-in time inside stays what it was.
  const refreshed = await young.get("/api/auth/session");
  expect(((await refreshed.json()) as { user?: { id?: string } }).user?.id).toBe(user.id);
  const reissued = refreshed
    .headersArray()
    .find((header) => header.name.toLowerCase() === "set-cookie" && header.value.startsWith(`${COOKIE}=`));
  expect(reissued, "the session endpoint re-signs the cookie").toBeDefined();
  const reissuedToken = await decode({
    token: reissued!.value.split(";")[0]!.slice(COOKIE.length + 1),
    secret: SENTINELS.AUTH_SECRET,
    salt: COOKIE,
  });
  expect(reissuedToken?.auth_time).toBe(now - 29 * day);
  await young.dispose();

  const old = await as(await cookieFor(31));
  const refused = await chatAndRename(old, user.id, user.conversationId);
  await expectRefused(refused.chat, 401, "unauthorized");
  // proxy.ts reads the same lifetime and sends the action's page request to /login first.
  expect(refused.renameBody).toMatch(/"code":"unauthorized"|^\/login\?next=/);
  expect((await old.get("/account", { maxRedirects: 0 })).status()).toBe(307);
  // Auth.js's own endpoint drops it too instead of re-signing it for another 30 days.
  expect(await (await old.get("/api/auth/session")).json()).toBeNull();
  await old.dispose();

  // The same valid token under the plain (non-__Secure-) name is not a session in production.
  const plain = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `authjs.session-token=${await cookieFor(1)}`, "x-forwarded-for": randomIp() },
  });
  await expectRefused((await chatAndRename(plain, user.id, user.conversationId)).chat, 401, "unauthorized");
  await plain.dispose();
});
