import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { DELETE_CONFIRMATION } from "../../lib/account-deletion";
import { e2eSql } from "../e2e/database";
import { newCredentials, signUp } from "../e2e/helpers";
import { postAction, PUBLIC_ACTIONS, serverActions } from "../e2e/server-actions";
import { fakeStripeRequests } from "../e2e/stripe";
import { fakeStats, mintToken, newTag } from "./support";

// A server action answers at ANY page path, not only its own: posted to a page that does not
// contain it, Next forwards it internally to one that does. The proxy turns away a request
// without a session cookie (also the forwarded one), but it only reads the cookie: a deleted
// account's still-valid cookie, another user's session and a cross-site form posting with the
// victim's cookie all get past it. So each action must refuse by itself, and this posts every
// protected action of the build both to its own page and to "/", which the proxy never guards.

const UNGUARDED_PATH = "/";

type Person = { id: string; email: string; password: string; conversationId: string };

/** Every server action the source declares ("use server" files), with the file it is in. */
function declaredActions(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.tsx?$/.test(entry.name)) {
        const source = readFileSync(file, "utf8");
        if (!/^\s*["']use server["'];/.test(source)) continue;
        for (const [, name] of source.matchAll(/^export (?:async function|const) (\w+)/gm)) found.set(name!, file);
      }
    }
  };
  for (const dir of ["app", "components", "lib"]) walk(dir);
  return found;
}

/** Fields each action accepts from its own form, aimed at `target`. Every protected action has an entry. */
function fieldsFor(exportedName: string, target: Person, tag: string): Record<string, string> {
  const known: Record<string, Record<string, string>> = {
    renameConversationAction: { conversationId: target.conversationId, title: "pwned" },
    deleteConversationAction: { conversationId: target.conversationId },
    changePasswordAction: { currentPassword: target.password, newPassword: "an attacker's new password", userId: target.id },
    connectGitHubAction: { currentPassword: target.password, userId: target.id },
    removeSignInMethodAction: { provider: "github", currentPassword: target.password, userId: target.id },
    logOutEverywhereAction: { userId: target.id },
    openBillingPortalAction: { userId: target.id },
    resendVerificationAction: { userId: target.id },
    deleteAccountAction: { confirmation: DELETE_CONFIRMATION, currentPassword: target.password, userId: target.id },
    setUserPlanAction: { userId: target.id, plan: "pro" },
    setUserBlockedAction: { userId: target.id, blocked: "true", reason: "pwned" },
    revokeUserSessionsAction: { userId: target.id },
    setBudgetAction: { period: "daily", usd: "1" },
    retryBudgetAlertAction: {
      period: "daily",
      day: new Date().toISOString().slice(0, 10),
      thresholdPercent: "50",
      budgetMicros: "10000000",
    },
    loadEarlierMessagesAction: { conversationId: target.conversationId, before: randomUUID() },
    startCheckoutAction: { planId: "pro", attempt: randomUUID(), userId: target.id },
    sendFeedbackAction: { requestId: randomUUID(), rating: "down", note: "pwned" },
    summarizeAction: { text: `Summarize this [[tag:${tag}]]`, token: mintToken(target.id) },
    rewriteAction: { text: `Rewrite this [[tag:${tag}]]`, tone: "formal", token: mintToken(target.id) },
  };
  const fields = known[exportedName];
  if (!fields) throw new Error(`${exportedName} is a new protected action: add its form's fields to fieldsFor and its refusal below`);
  return fields;
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
  // A redirect comes as a Location (the proxy's) or as Next's x-action-redirect (the action's own redirect()).
  const answer = response.headers();
  return { status: response.status(), body: await response.text(), location: answer.location ?? answer["x-action-redirect"] };
}

test("every protected action posted to an unguarded path refuses by itself: no session, another user's session, a foreign Origin", async ({
  page,
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const actions = protectedActions();
  // Every action the source declares is in the build and checked here (changed: this used to
  // check that nine known names were among them).
  const declaredProtected = [...declaredActions().keys()].filter((name) => !PUBLIC_ACTIONS.has(name));
  expect(actions.map((a) => a.exportedName).sort()).toEqual(declaredProtected.sort());
  expect(actions.length).toBeGreaterThanOrEqual(18);
  const tag = newTag();
  const victim = await person(page, "Victim's plans");
  const before = await snapshot(victim.id);

  // 1. No session: nothing reaches an action without a cookie, at any path. At its own page the
  // proxy sends the request to the log-in page; at "/" Next forwards it to that page, the proxy
  // turns the forwarded request away the same way, and Next answers an empty "{}"; an action
  // reached without a cookie refuses it as unauthorized. Nothing else passes. (Changed: a 500
  // or any body without "ok":true used to pass.)
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const action of actions) {
    for (const path of [UNGUARDED_PATH, action.pagePath]) {
      const { status, body, location } = await post(anonymous, action.id, fieldsFor(action.exportedName, victim, tag), {}, path);
      const what = `${action.exportedName} at ${path}: ${status} ${location ?? ""} ${body.slice(0, 200)}`;
      expect(status, what).not.toBe(500);
      const toLogIn = location !== undefined && new URL(location, baseURL).pathname === "/login";
      const forwardedAndTurnedAway = path !== action.pagePath && status === 200 && body === "{}";
      expect(toLogIn || forwardedAndTurnedAway || body.includes('"code":"unauthorized"'), what).toBe(true);
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
  // What each action answers another user's session aimed at the victim: a refusal, or, for an
  // action that only ever acts on its caller, what it does to the attacker's own account. Every
  // protected action must be listed; every action in app/admin must answer "forbidden" to a
  // non-admin. (Changed: actions missing from this table used to be skipped.)
  const answers: Record<string, RegExp> = {
    renameConversationAction: /"code":"not_found"/,
    deleteConversationAction: /"code":"not_found"/,
    loadEarlierMessagesAction: /"code":"not_found"/, // another user's conversation pages nothing
    changePasswordAction: /"code":"invalid_input"/, // the victim's password is not the attacker's
    connectGitHubAction: /"code":"invalid_input"/, // the same proof as a password change
    removeSignInMethodAction: /"code":"invalid_input"/,
    deleteAccountAction: /"code":"invalid_input"/, // nor does it delete the attacker's own account
    summarizeAction: /"code":"invalid_request_token"/, // the victim's token
    rewriteAction: /"code":"invalid_request_token"/,
    sendFeedbackAction: /"code":"not_found"/, // no request of the attacker's has that id
    // The caller's own: the attacker's address is proven already, the attacker has no Stripe
    // customer, a checkout is opened for the attacker (below), the attacker's sessions end.
    resendVerificationAction: /"ok":true,"data":\{"alreadyVerified":true\}/,
    openBillingPortalAction: /"code":"[a-z_]+"/,
    // Forwarded from "/" to /pricing, its redirect to Stripe comes back as Next's empty "{}".
    startCheckoutAction: /^\{\}$/m,
    logOutEverywhereAction: /^\/login|\/login/,
  };
  const declared = declaredActions();
  // `last` in its own order (deletion before log-out-everywhere), whatever order the build lists them in.
  const lastActions = last.map((name) => actions.find((a) => a.exportedName === name)).filter((a) => a !== undefined);
  for (const action of [...byAttacker, ...lastActions]) {
    const { status, body, location } = await post(attackerContext.request, action.id, fieldsFor(action.exportedName, victim, tag));
    const what = `${action.exportedName}: ${status} ${location ?? ""} ${body.slice(0, 300)}`;
    expect(status, what).not.toBe(500);
    const isAdmin = declared.get(action.exportedName)?.startsWith(`app${path.sep}admin${path.sep}`) ?? false;
    const expected = isAdmin ? /"code":"forbidden"/ : answers[action.exportedName];
    expect(expected, `${action.exportedName} is missing from the table of answers`).toBeDefined();
    expect(`${location ?? ""}\n${body}`, what).toMatch(expected!);
  }
  // The checkout was the attacker's own, never the victim's.
  const checkouts = (await fakeStripeRequests()).filter((request) => request.path === "/v1/checkout/sessions");
  expect(checkouts.filter((request) => request.params.client_reference_id === attacker.id)).toHaveLength(1);
  expect(checkouts.filter((request) => request.params.client_reference_id === victim.id)).toHaveLength(0);
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
