import { expect, test, type APIResponse } from "@playwright/test";
import { logOut, signUp } from "../e2e/helpers";

// Auth.js re-issues the session cookie on each request (rolling expiry). A router prefetch
// that set out before a log-out and answered after it used to bring the session back; now only
// page loads (Sec-Fetch-Dest: document) refresh it.
test.use({ extraHTTPHeaders: { "x-real-ip": "198.51.100.54" } }); // own sign-up budget per IP

const sessionCookiesSet = (response: APIResponse) =>
  response
    .headersArray()
    .filter((header) => header.name.toLowerCase() === "set-cookie" && /authjs\.session-token/.test(header.value));

test("a prefetch never re-issues the session cookie; a page load still refreshes it", async ({ page }) => {
  await signUp(page);
  const prefetch = await page.request.get("/pricing?_rsc=test", { headers: { "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" } });
  expect(prefetch.status()).toBe(200);
  expect(sessionCookiesSet(prefetch)).toEqual([]);
  const navigation = await page.request.get("/pricing", { headers: { "sec-fetch-dest": "document" } });
  expect(sessionCookiesSet(navigation).length).toBeGreaterThan(0);
});

test("a prefetch answered after log-out does not log the user back in", async ({ page }) => {
  await signUp(page);
  const staleCookie = (await page.context().cookies()).filter((cookie) => cookie.name.includes("session-token"));
  await logOut(page);
  // The prefetch set out with the old cookie (as if in flight during the log-out).
  const header = staleCookie.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  const late = await page.request.get("/account?_rsc=test", { headers: { cookie: header, "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" } });
  expect(sessionCookiesSet(late)).toEqual([]);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});
