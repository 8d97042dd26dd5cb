import { randomUUID } from "node:crypto";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { FAKE_GITHUB_SESSION_COOKIE, type FakeGitHubUser } from "../fakes/github-server";
import { e2eSql, fakeGitHubUrl } from "../e2e/database";
import { actAsNewClient, emailedLink, newCredentials, signUp } from "../e2e/helpers";
import { actionId, postAction } from "../e2e/server-actions";
import { E2E_ADMIN_EMAILS } from "../support/sentinels";

// GitHub sign-in, sign-up and linking end to end, through the real Auth.js against the fake GitHub
// (tests/fakes/github-server.ts). The attacks: a GitHub round trip while a password session is
// open (it linked and "proved" the account's address: admin takeover with ADMIN_EMAILS), a
// revoked or blocked cookie used for it (it linked and minted a fresh cookie), and Auth.js's own
// session endpoint answering a revoked cookie.

/** A user "signed in at GitHub" in this browser context, with the addresses GitHub verified. */
async function gitHubUser(context: BrowserContext, emails: FakeGitHubUser["emails"]): Promise<FakeGitHubUser> {
  const user = { id: Math.floor(Math.random() * 1e9), login: `gh-${randomUUID().slice(0, 8)}`, name: "GitHub User", emails };
  const response = await fetch(`${fakeGitHubUrl()}/__control/users`, { method: "POST", body: JSON.stringify(user) });
  expect(response.ok).toBe(true);
  await context.addCookies([{ name: FAKE_GITHUB_SESSION_COOKIE, value: user.login, url: fakeGitHubUrl() }]);
  return user;
}

/**
 * Runs Auth.js's GitHub flow the way a script can, without the app's buttons (a browser's CSP
 * form-action would stop a cross-origin form redirect; a script has no CSP): POST
 * /api/auth/signin/github with the CSRF token, then GitHub's consent and the callback, each hop by
 * hand, with this browser context's cookies (the session cookie included). Returns where the
 * callback finally sends the browser.
 */
async function runGitHubOAuth(page: Page, callbackPath = "/chat"): Promise<string> {
  const request = page.request;
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  let response = await request.post("/api/auth/signin/github", { form: { csrfToken, callbackUrl: callbackPath }, maxRedirects: 0 });
  for (let hop = 0; hop < 5 && response.status() >= 300 && response.status() < 400; hop++) {
    const location = new URL(response.headers()["location"]!, response.url());
    const appOrigin = new URL(page.url() === "about:blank" ? test.info().project.use.baseURL! : page.url()).origin;
    if (location.origin === appOrigin && !location.pathname.startsWith("/api/auth")) return location.pathname + location.search;
    response = await request.get(location.toString(), { maxRedirects: 0 });
  }
  throw new Error(`the OAuth flow did not come back to the app: ${response.status()} ${response.url()} ${await response.text()}`);
}

async function userRow(email: string) {
  const sql = e2eSql();
  try {
    const [row] = await sql<{ id: string; email_verified: Date | null; role: string }[]>`
      select id, email_verified, role from users where email = ${email.toLowerCase()}`;
    const links = row
      ? await sql<{ provider: string; confirmed_at: Date | null }[]>`select provider, confirmed_at from accounts where user_id = ${row.id}`
      : [];
    return { ...row!, links };
  } finally {
    await sql.end();
  }
}

async function sql<T>(run: (sql: ReturnType<typeof e2eSql>) => Promise<T>): Promise<T> {
  const connection = e2eSql();
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

test("GitHub sign-up creates an account whose address GitHub verified, with a confirmed link", async ({ page }) => {
  await actAsNewClient(page);
  const email = `gh-${randomUUID()}@example.com`;
  await gitHubUser(page.context(), [{ email, primary: true, verified: true }]);
  expect(await runGitHubOAuth(page)).toBe("/chat");
  const row = await userRow(email);
  expect(row.email_verified).not.toBeNull();
  expect(row.links).toEqual([{ provider: "github", confirmed_at: expect.any(Date) }]);
});

test("a GitHub round trip while a password session is open links nothing and proves nothing (no admin takeover)", async ({ page }) => {
  // The attacker signs up first with an address listed in ADMIN_EMAILS that they do not own.
  const credentials = await signUp(page, { email: E2E_ADMIN_EMAILS[4]!, password: "a long enough password" }, { verified: false });
  await gitHubUser(page.context(), [{ email: `attacker-${randomUUID()}@example.com`, primary: true, verified: true }]);
  expect(await runGitHubOAuth(page)).toBe("/account?link=refused");
  await page.goto("/account?link=refused");
  await expect(page.getByText("GitHub was not connected.")).toBeVisible();
  const row = await userRow(credentials.email);
  expect(row.links).toEqual([]);
  expect(row.email_verified).toBeNull();
  expect(row.role).toBe("user");
});

for (const revocation of ["revoked (log out everywhere)", "blocked"] as const) {
  test(`a ${revocation} session cookie cannot link GitHub nor come back through it`, async ({ browser, page }) => {
    const credentials = await signUp(page);
    const stolen = (await page.context().cookies()).filter((cookie) => cookie.name.includes("session-token"));
    expect(stolen).toHaveLength(1);
    await sql((db) =>
      revocation === "blocked"
        ? db`update users set blocked_at = now(), session_version = session_version + 1 where email = ${credentials.email}`
        : db`update users set session_version = session_version + 1 where email = ${credentials.email}`,
    );

    const thief = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const thiefPage = await thief.newPage();
    await actAsNewClient(thiefPage);
    await thief.addCookies(stolen);
    await gitHubUser(thief, [{ email: `thief-${randomUUID()}@example.com`, primary: true, verified: true }]);
    expect(await runGitHubOAuth(thiefPage)).toBe("/account?link=refused");
    expect((await userRow(credentials.email)).links).toEqual([]);
    // No fresh cookie came out of it: the account is still out of reach.
    await thiefPage.goto("/account");
    await expect(thiefPage).toHaveURL(/\/login/);
    await thief.close();
  });
}

test("Connect GitHub on /account needs the password, links with consent, and the GitHub address proves nothing about the account's", async ({
  page,
}) => {
  const credentials = await signUp(page, newCredentials(), { verified: false });
  const github = await gitHubUser(page.context(), [{ email: `other-${randomUUID()}@example.com`, primary: true, verified: true }]);
  await page.goto("/account");
  const methods = page.getByRole("list", { name: "Connected sign-in methods" });
  await expect(methods.getByTestId("github-method")).toContainText("Not connected");

  await page.getByLabel("Your password").fill("not my password");
  await page.getByRole("button", { name: "Connect GitHub" }).click();
  await expect(page.getByText("Current password is incorrect.")).toBeVisible();
  expect((await userRow(credentials.email)).links).toEqual([]);

  await page.getByLabel("Your password").fill(credentials.password);
  await page.getByRole("button", { name: "Connect GitHub" }).click();
  await expect(page).toHaveURL(/\/account\?link=connected$/);
  await expect(methods.getByTestId("github-method")).toContainText("Connected");
  let row = await userRow(credentials.email);
  expect(row.links).toEqual([{ provider: "github", confirmed_at: expect.any(Date) }]);
  expect(row.email_verified).toBeNull();

  // The intent was used up: a second round trip in the same session links nothing new and is refused.
  await gitHubUser(page.context(), [{ email: `second-${randomUUID()}@example.com`, primary: true, verified: true }]);
  expect(await runGitHubOAuth(page)).toBe("/account?link=refused");
  expect((await userRow(credentials.email)).links).toHaveLength(1);

  // Signed out, the connected GitHub account signs in as the same user.
  await page.context().clearCookies({ name: /session-token/ });
  await page.context().addCookies([{ name: FAKE_GITHUB_SESSION_COOKIE, value: github.login, url: fakeGitHubUrl() }]);
  expect(await runGitHubOAuth(page, "/account")).toBe("/account");
  await page.goto("/account");
  await expect(page.getByTestId("account-email")).toHaveText(credentials.email);

  // Disconnect, with the password again.
  await page.getByLabel("Your password").fill(credentials.password);
  await page.getByRole("button", { name: "Disconnect GitHub" }).click();
  await expect(page).toHaveURL(/\/account\?link=removed$/);
  await expect(page.getByText("GitHub is disconnected.")).toBeVisible();
  await expect(methods.getByTestId("github-method")).toContainText("Not connected");
  row = await userRow(credentials.email);
  expect(row.links).toEqual([]);
});

test("the last way to sign in cannot be removed, even by posting the action directly", async ({ page }) => {
  await actAsNewClient(page);
  const email = `gh-only-${randomUUID()}@example.com`;
  await gitHubUser(page.context(), [{ email, primary: true, verified: true }]);
  expect(await runGitHubOAuth(page, "/account")).toBe("/account");
  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Disconnect GitHub" })).toBeDisabled();
  const response = await postAction(page.request, "/account", actionId("removeSignInMethodAction"), { provider: "github" });
  expect(await response.text()).toContain("This is your only way to sign in");
  expect((await userRow(email)).links).toHaveLength(1);
});

test("a password reset removes a link the owner never confirmed, and its email says so", async ({ page }) => {
  const credentials = await signUp(page);
  const { id } = await userRow(credentials.email);
  // A link made before links needed proof (confirmed_at null), e.g. by a session thief.
  await sql(
    (db) => db`insert into accounts (user_id, type, provider, provider_account_id, confirmed_at)
    values (${id}, 'oauth', 'github', ${String(Math.floor(Math.random() * 1e9))}, null)`,
  );
  await page.context().clearCookies();
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  const { email, link } = await emailedLink(credentials.email, "Reset your password");
  expect(email.text).toContain("disconnects any sign-in method");
  await page.goto(link);
  await page.getByLabel("New password").fill("a fresh new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=done/);
  expect((await userRow(credentials.email)).links).toEqual([]);
});

test("Auth.js's session endpoint answers no session for a revoked, blocked or deleted user's cookie, and clears it", async ({ page }) => {
  const credentials = await signUp(page);
  const session = async () => {
    const response = await page.request.get("/api/auth/session");
    return { body: (await response.json()) as { user?: { email?: string } } | null, setCookie: response.headers()["set-cookie"] ?? "" };
  };
  expect((await session()).body?.user?.email).toBe(credentials.email);

  const cookies = (await page.context().cookies()).filter((cookie) => cookie.name.includes("session-token"));
  for (const revoke of [
    (db: ReturnType<typeof e2eSql>) => db`update users set session_version = session_version + 1 where email = ${credentials.email}`,
    (db: ReturnType<typeof e2eSql>) => db`update users set blocked_at = now() where email = ${credentials.email}`,
    (db: ReturnType<typeof e2eSql>) => db`delete from users where email = ${credentials.email}`,
  ]) {
    await page.context().addCookies(cookies); // the same old cookie each time
    await sql(revoke);
    const { body, setCookie } = await session();
    expect(body).toBeNull();
    expect(setCookie).toMatch(/session-token=;|session-token=.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
  }
});
