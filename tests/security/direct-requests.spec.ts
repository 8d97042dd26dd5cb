import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { e2eSql } from "../e2e/database";
import { logOut, signUp } from "../e2e/helpers";
import { postAction, PUBLIC_ACTIONS, serverActions } from "../e2e/server-actions";

// Requests an attacker would send: straight to pages and server actions over HTTP, without
// the UI, without a cookie, with a header that once let requests skip Next's middleware
// (CVE-2025-29927), and with the cookie of an account that no longer exists.

const PROXY_SKIP = { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" };

test("every non-public server action refuses a request with no session, with or without the proxy-skip header", async ({
  playwright,
  baseURL,
}) => {
  const protectedActions = serverActions().filter((action) => !PUBLIC_ACTIONS.has(action.exportedName));
  expect(protectedActions.map((a) => a.exportedName)).toContain("changePasswordAction");
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const action of protectedActions) {
    for (const headers of [{}, PROXY_SKIP]) {
      const response = await postAction(anonymous, action.pagePath, action.id, {}, headers);
      const body = await response.text();
      // Either the proxy turns it away (a redirect to /login), or the action itself refuses.
      const refusedByProxy = response.status() === 307 && response.headers().location?.startsWith("/login");
      const refusedByAction = body.includes('"code":"unauthorized"');
      expect(refusedByProxy || refusedByAction, `${action.exportedName}: ${response.status()} ${body.slice(0, 200)}`).toBe(true);
      expect(body).not.toContain('"ok":true');
    }
  }
  await anonymous.dispose();
});

test("the page and its actions check the session themselves: a deleted account's valid cookie gets nothing", async ({ page }) => {
  const credentials = await signUp(page);
  const changePassword = serverActions().find((action) => action.exportedName === "changePasswordAction")!;
  const fields = { currentPassword: credentials.password, newPassword: "a brand new password" };

  // Control: with a live session the same raw request reaches the action and succeeds.
  const served = await postAction(page.request, changePassword.pagePath, changePassword.id, fields);
  expect(served.headers()["x-action-redirect"]).toContain("/account?password=changed"); // signed in again with the new password

  // Delete the account behind the still-valid cookie: the proxy lets the cookie through
  // (it only reads the cookie), so what refuses now is the page's and the action's own check.
  const sql = e2eSql();
  await sql`delete from users where email = ${credentials.email}`;
  await sql.end();

  const refused = await postAction(
    page.request,
    changePassword.pagePath,
    changePassword.id,
    {
      currentPassword: "a brand new password",
      newPassword: "yet another password",
    },
    PROXY_SKIP,
  );
  expect(await refused.text()).toContain('"code":"unauthorized"');

  const accountPage = await page.request.get("/account", { headers: PROXY_SKIP, maxRedirects: 0 });
  expect(accountPage.status()).toBe(307);
  expect(accountPage.headers().location).toContain("/login");
});

test("a logged-out GET of a protected page is redirected to /login, also with the proxy-skip header", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const path of ["/account", "/chat", "/admin"]) {
    for (const headers of [{}, PROXY_SKIP]) {
      const response = await anonymous.get(path, { headers, maxRedirects: 0 });
      expect(response.status(), path).toBe(307);
      expect(response.headers().location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  }
  await anonymous.dispose();
});

/**
 * Every page route of the app, from app/**\/page.tsx: route groups dropped, dynamic segments
 * filled (a conversation or audit row that does not exist still gets its page's answer).
 */
function pageRoutes(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.name === "page.tsx") pages.push(path.relative("app", dir));
    }
  };
  walk("app");
  return pages.map(
    (dir) =>
      `/${dir
        .split(path.sep)
        .filter((segment) => segment !== "" && !/^\(.+\)$/.test(segment))
        .map((segment) => (/^\[.+\]$/.test(segment) ? (segment === "[conversationId]" ? randomUUID() : "1") : segment))
        .join("/")}`,
  );
}

function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  expect(headers["content-security-policy"], what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["x-frame-options"], what).toBe("DENY");
  expect(headers["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(headers["strict-transport-security"], what).toContain("max-age=");
  expect(headers["x-powered-by"], what).toBeUndefined();
}

test("security headers are on every page", async ({ request, page }) => {
  // Every page of the app (changed: this used to check three paths), as a stranger (a signed-in
  // page answers with the proxy's redirect) and signed in (the page itself), and a route handler.
  const routes = pageRoutes();
  expect(routes).toEqual(expect.arrayContaining(["/", "/login", "/chat", "/account", "/admin", "/admin/audit/1", "/verify-email"]));
  expect(routes.length).toBeGreaterThanOrEqual(20);
  await signUp(page);
  for (const route of [...routes, "/api/health"]) {
    const anonymous = await request.get(route, { maxRedirects: 0, failOnStatusCode: false });
    expectSecurityHeaders(anonymous.headers(), `${route} (no session, ${anonymous.status()})`);
    const signedIn = await page.request.get(route, { maxRedirects: 0, failOnStatusCode: false });
    expect(signedIn.status(), route).toBeLessThan(500);
    expectSecurityHeaders(signedIn.headers(), `${route} (signed in, ${signedIn.status()})`);
  }
  // A fresh nonce per response (a fixed one could be read once and reused by injected script),
  // and Next puts that response's nonce on its own scripts, so the strict CSP does not break the app.
  const nonces = [];
  for (let i = 0; i < 3; i++) {
    const response = await request.get("/login");
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(response.headers()["content-security-policy"] ?? "")?.[1];
    expect(nonce).toBeTruthy();
    const scripts = Array.from((await response.text()).matchAll(/<script[^>]*\snonce="([^"]+)"/g), (match) => match[1]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(new Set(scripts)).toEqual(new Set([nonce]));
    nonces.push(nonce);
  }
  expect(new Set(nonces).size).toBe(3);
});

test("log-in is rate limited per email: the form says when to retry", async ({ page }) => {
  const { email } = await signUp(page);
  await logOut(page);
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  // Signing up used one attempt (it signs in); 10 per 15 minutes per email from one IP (lib/plans.ts).
  for (let attempt = 0; attempt < 12; attempt++) {
    await page.getByLabel("Password").fill(`wrong password ${attempt}`);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
    await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled(); // the attempt has finished
    if (await page.getByText(/Too many attempts/).isVisible()) break;
  }
  // The wait runs to the end of the limiter's current 15-minute window: seconds, near its end.
  await expect(page.getByText(/Too many attempts\. Try again in \d+ (minutes?|seconds?)\./)).toBeVisible();
});

test("a hostile ?next= never sends a user off-site after log-in", async ({ page }) => {
  const credentials = await signUp(page);
  await logOut(page);
  // A tab or a backslash is dropped or read as "/" by the browser: "/\t/evil.example" is "//evil.example".
  for (const next of ["//evil.example/steal", "/%09/evil.example", "/%5C/evil.example", "/%0A/evil.example"]) {
    await page.goto(`/login?next=${next}`);
    await page.getByLabel("Email").fill(credentials.email);
    await page.getByLabel("Password").fill(credentials.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page, next).toHaveURL(/localhost:\d+\/chat$/, { timeout: 15_000 }); // password hashing on a busy machine
    // Already signed in, the log-in page redirects straight to ?next=: the same rule applies.
    const direct = await page.request.get(`/login?next=${next}`, { maxRedirects: 0 });
    expect(direct.headers().location, next).toBe("/chat");
    await logOut(page);
  }
});
