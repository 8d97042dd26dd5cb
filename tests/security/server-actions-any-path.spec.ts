import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { DELETE_CONFIRMATION } from "../../lib/account-deletion";
import { e2eSql } from "../e2e/database";
import { newCredentials, signUp } from "../e2e/helpers";
import { postAction, serverActions } from "../e2e/server-actions";
import { fakeStats, mintToken, newTag } from "./support";

// A server action answers at ANY page path, not only its own: posted to a page that does not
// contain it, Next forwards it internally to one that does. The proxy turns away a request
// without a session cookie (also the forwarded one), but it only reads the cookie: a deleted
// account's still-valid cookie, another user's session and a cross-site form posting with the
// victim's cookie all get past it. So each action must refuse by itself, and this posts every
// protected action of the build both to its own page and to "/", which the proxy never guards.

const PUBLIC_ACTIONS = new Set([
  "logInAction",
  "signUpAction",
  "signOutAction",
  "signInWithGitHubAction",
  "requestPasswordResetAction",
  "resetPasswordAction",
]);
const UNGUARDED_PATH = "/";

type Person = { id: string; email: string; password: string; conversationId: string };

/** Fields each action would accept from its own form, aimed at `target`; unknown actions get all of them. */
function fieldsFor(exportedName: string, target: Person, tag: string): Record<string, string> {
  const known: Record<string, Record<string, string>> = {
    renameConversationAction: { conversationId: target.conversationId, title: "pwned" },
    deleteConversationAction: { conversationId: target.conversationId },
    changePasswordAction: { currentPassword: target.password, newPassword: "an attacker's new password", userId: target.id },
    openBillingPortalAction: {},
    deleteAccountAction: { confirmation: DELETE_CONFIRMATION, currentPassword: target.password, userId: target.id },
    setUserPlanAction: { userId: target.id, plan: "pro" },
    startCheckoutAction: { planId: "pro", attempt: randomUUID(), userId: target.id },
    summarizeAction: { text: `Summarize this [[tag:${tag}]]`, token: mintToken(target.id) },
    rewriteAction: { text: `Rewrite this [[tag:${tag}]]`, tone: "formal", token: mintToken(target.id) },
  };
  return known[exportedName] ?? { userId: target.id, conversationId: target.conversationId, email: target.email };
}

async function person(page: Page, title: string): Promise<Person> {
  const credentials = await signUp(page, { ...newCredentials(), password: `password ${randomUUID()}` }); // each their own
  const sql = e2eSql();
  try {
    const [user] = await sql<{ id: string }[]>`select id from users where email = ${credentials.email}`;
    const [conversation] = await sql<
      { id: string }[]
    >`insert into conversations (user_id, title) values (${user!.id}, ${title}) returning id`;
    await sql`insert into messages (conversation_id, role, content) values (${conversation!.id}, 'user', 'private words')`;
    return { id: user!.id, ...credentials, conversationId: conversation!.id };
  } finally {
    await sql.end();
  }
}

/** Everything of the victim's that any action could change, as one comparable value. */
async function snapshot(userId: string): Promise<string> {
  const sql = e2eSql();
  try {
    const rows = await sql`
      select u.email, u.password_hash, u.role,
        (select json_agg(json_build_object('id', c.id, 'title', c.title) order by c.id) from conversations c where c.user_id = u.id) as conversations,
        (select count(*) from messages m join conversations c on c.id = m.conversation_id where c.user_id = u.id)::int as messages,
        (select json_agg(json_build_object('plan', s.plan, 'status', s.status, 'customer', s.stripe_customer_id)) from subscriptions s where s.user_id = u.id) as subscriptions,
        (select count(*) from usage_daily d where d.user_id = u.id)::int as usage_days
      from users u where u.id = ${userId}`;
    return JSON.stringify(rows);
  } finally {
    await sql.end();
  }
}

async function deleteUser(id: string): Promise<void> {
  const sql = e2eSql();
  await sql`delete from users where id = ${id}`.finally(() => sql.end());
}

async function userExists(id: string): Promise<boolean> {
  const sql = e2eSql();
  return (await sql`select 1 from users where id = ${id}`.finally(() => sql.end())).length === 1;
}

const protectedActions = () => serverActions().filter((action) => !PUBLIC_ACTIONS.has(action.exportedName));

async function post(
  request: APIRequestContext,
  id: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  path = UNGUARDED_PATH,
) {
  const response = await postAction(request, path, id, fields, headers);
  return { status: response.status(), body: await response.text(), location: response.headers().location };
}

test("every protected action posted to an unguarded path refuses by itself: no session, another user's session, a foreign Origin", async ({
  page,
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const actions = protectedActions();
  // The eight of this build at the time of writing; any action added later is covered too.
  expect(actions.map((a) => a.exportedName)).toEqual(
    expect.arrayContaining([
      "renameConversationAction",
      "deleteConversationAction",
      "changePasswordAction",
      "openBillingPortalAction",
      "deleteAccountAction",
      "setUserPlanAction",
      "startCheckoutAction",
      "summarizeAction",
      "rewriteAction",
    ]),
  );
  const tag = newTag();
  const victim = await person(page, "Victim's plans");
  const before = await snapshot(victim.id);

  // 1. No session: nothing reaches an action without a cookie, at any path...
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const action of actions) {
    for (const path of [UNGUARDED_PATH, action.pagePath]) {
      const { status, body } = await post(anonymous, action.id, fieldsFor(action.exportedName, victim, tag), {}, path);
      expect(body, `${action.exportedName} at ${path}: ${status}`).not.toContain('"ok":true');
    }
  }
  await anonymous.dispose();
  // ...and with a deleted account's cookie, which the proxy lets through, each action itself says no.
  const ghostContext = await browser.newContext({ baseURL });
  const ghost = await person(await ghostContext.newPage(), "Ghost's");
  await deleteUser(ghost.id);
  for (const action of actions) {
    for (const path of [UNGUARDED_PATH, action.pagePath]) {
      // The AI actions get a token of the ghost's own (the guard checks a token's signature on
      // the CPU before it reads the account): what must refuse is the deleted account itself.
      const fields = fieldsFor(action.exportedName, victim, tag);
      if ("token" in fields) fields.token = mintToken(ghost.id);
      const { status, body, location } = await post(ghostContext.request, action.id, fields, {}, path);
      expect(location, `${action.exportedName} at ${path} was redirected instead of refused`).toBeUndefined();
      expect(body, `${action.exportedName} at ${path}: ${status}`).toContain('"code":"unauthorized"');
    }
  }
  await ghostContext.close();

  // 2. Another user's session, aimed at the victim's conversation, account, plan and token.
  const attackerContext = await browser.newContext({ baseURL });
  const attacker = await person(await attackerContext.newPage(), "Attacker's own");
  // These end the attacker's own session (they act on the caller alone): last.
  const last = ["deleteAccountAction", "logOutEverywhereAction"];
  const byAttacker = actions.filter((a) => !last.includes(a.exportedName));
  const refusals: Record<string, string> = {
    renameConversationAction: "not_found",
    deleteConversationAction: "not_found",
    setUserPlanAction: "forbidden",
    changePasswordAction: "invalid_input", // the victim's password is not the attacker's
    deleteAccountAction: "invalid_input", // nor does it delete the attacker's own account
    summarizeAction: "invalid_request_token", // the victim's token
    rewriteAction: "invalid_request_token",
  };
  // `last` in its own order (deletion before log-out-everywhere), whatever order the build lists them in.
  const lastActions = last.map((name) => actions.find((a) => a.exportedName === name)).filter((a) => a !== undefined);
  for (const action of [...byAttacker, ...lastActions]) {
    const { status, body } = await post(attackerContext.request, action.id, fieldsFor(action.exportedName, victim, tag));
    const expected = refusals[action.exportedName];
    if (expected) expect(body, `${action.exportedName}: ${status}`).toContain(`"code":"${expected}"`);
  }
  // Deletion wants the caller's own current password: the victim's deletes nobody.
  expect(await userExists(attacker.id)).toBe(true);
  await attackerContext.close();

  // 3. The victim's own session, but from a foreign site (CSRF): Next refuses before the action runs.
  for (const action of actions) {
    const { status, body } = await post(page.request, action.id, fieldsFor(action.exportedName, victim, tag), {
      origin: "https://evil.example",
    });
    expect(status, `${action.exportedName}: ${body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(body).not.toContain('"ok":true');
  }

  expect(await snapshot(victim.id)).toBe(before);
  expect((await fakeStats(tag)).chat).toBe(0);
  // The victim is still signed in and their conversation still there.
  await page.goto(`/chat/${victim.conversationId}`);
  await expect(page.getByText("private words")).toBeVisible();
});
