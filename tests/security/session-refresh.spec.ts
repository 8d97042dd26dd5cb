import { expect, test, type APIResponse } from "@playwright/test";
import { logOut, signUp } from "../e2e/helpers";

// Auth.js's proxy wrapper re-issues the session cookie on each request (rolling expiry). A
// router prefetch that set out before a log-out and answered after it used to bring the session
// back. proxy.ts now only reads the cookie: only sign-in and sign-out ever set it.

const sessionCookiesSet = (response: APIResponse) =>
  response.headersArray().filter((header) => header.name.toLowerCase() === "set-cookie" && /authjs\.session-token/.test(header.value));

test("neither a prefetch nor a page load re-issues the session cookie", async ({ page }) => {
  await signUp(page);
  const prefetch = await page.request.get("/pricing?_rsc=test", {
    headers: { "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" },
  });
  expect(prefetch.status()).toBe(200);
  expect(sessionCookiesSet(prefetch)).toEqual([]);
  const navigation = await page.request.get("/account", { headers: { "sec-fetch-dest": "document" }, maxRedirects: 0 });
  expect(navigation.status()).toBe(200); // still signed in
  expect(sessionCookiesSet(navigation)).toEqual([]);
});

test("a prefetch answered after log-out does not log the user back in", async ({ page }) => {
  await signUp(page);
  const staleCookie = (await page.context().cookies()).filter((cookie) => cookie.name.includes("session-token"));
  await logOut(page);
  // The prefetch set out with the old cookie (as if in flight during the log-out).
  const header = staleCookie.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  const late = await page.request.get("/account?_rsc=test", {
    headers: { cookie: header, "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" },
  });
  expect(sessionCookiesSet(late)).toEqual([]);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});
