import { expect, test, type Browser } from "@playwright/test";
import { emailLinkKey, signEmailLink } from "@/lib/account/email-link-codec";
import { AUTH_ATTEMPT_LIMITS } from "@/lib/plans";
import { expectRefused, fakeStats, mintToken, newTag, postChat, randomIp } from "../security/support";
import { E2E_ADMIN_EMAILS, SENTINELS } from "../support/sentinels";
import { e2eSql } from "./database";
import { emailedLink, newCredentials, receivedEmails, screenshot, signUp, watchForPageErrors } from "./helpers";
import { actionId, postAction } from "./server-actions";

// Accounts end to end, through the real SMTP server the app sends to (tests/fakes/smtp-server.ts):
// verify by the emailed link before the first model call, reset a password by link, and
// revoke sessions (password change, reset, "Log out everywhere").

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

const VERIFY_SUBJECT = "Confirm your email address";
const RESET_SUBJECT = "Reset your password";

async function userId(email: string): Promise<string> {
  const sql = e2eSql();
  try {
    const [row] = await sql<{ id: string }[]>`select id from users where email = ${email.toLowerCase()}`;
    return row!.id;
  } finally {
    await sql.end();
  }
}

/** A second browser signed in to the same account: the "other device". */
async function otherDevice(browser: Browser, baseURL: string | undefined, credentials: { email: string; password: string }) {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/chat$/, { timeout: 15_000 }); // password hashing on a busy machine
  return { context, page };
}

test("sign up, no model call until the emailed link is opened, then chat", async ({ page }) => {
  const problems = watchForPageErrors(page);
  const credentials = await signUp(page, newCredentials(), { verified: false });
  const id = await userId(credentials.email);
  // The chat says so at once; the account page offers a new link.
  await expect(page.getByTestId("chat-error")).toContainText("Confirm your email address first");
  await page.goto("/account");
  await expect(page.getByTestId("verify-email-notice")).toContainText(credentials.email);
  await screenshot(page, "account-unverified");

  // Refused before anything is reserved or sent upstream, with the next step.
  const tag = newTag();
  const refused = await postChat(page.request, { message: `Hi [[tag:${tag}]]`, token: mintToken(id) });
  await expectRefused(refused, 403, "email_unverified");
  expect(((await refused.json()) as { error: { nextStep?: { href: string } } }).error.nextStep?.href).toBe("/verify-email");
  await page.goto("/chat");
  await page.getByLabel("Message").fill(`Hello [[tag:${tag}]]`);
  await page.getByLabel("Message").press("Enter");
  await expect(page.getByTestId("chat-error")).toContainText("Confirm your email address first");
  await expect(page.getByTestId("chat-error").getByRole("link", { name: "Send a new verification link" })).toHaveAttribute(
    "href",
    "/verify-email",
  );
  expect((await fakeStats(tag)).chat).toBe(0);
  const sql = e2eSql();
  expect(await sql`select 1 from usage_daily where user_id = ${id}`).toHaveLength(0);

  // The message the SMTP server received: a plain-text and an HTML part, the same link in both.
  const { email, link } = await emailedLink(credentials.email, VERIFY_SUBJECT);
  expect(email.from).toContain("no-reply@example.com");
  expect(email.html).toContain(link.replaceAll("&", "&amp;"));
  await page.goto(link);
  await expect(page).toHaveURL(/\/verify-email\?status=verified$/);
  await expect(page.getByTestId("verify-email-status")).toContainText("Your email address is confirmed");
  await screenshot(page, "verify-email-done");

  await page.goto("/chat");
  const chatTag = newTag();
  await page.getByLabel("Message").fill(`Hello again [[tag:${chatTag}]]`);
  await page.getByLabel("Message").press("Enter");
  await expect(page.getByTestId("message-assistant").last()).toContainText("Echo:");
  expect((await fakeStats(chatTag)).chat).toBe(1);
  await sql.end();
  expect(problems).toEqual([]);
});

test("a verification link is bound to its user, address and purpose, and expires; resending is rate limited", async ({
  page,
  playwright,
  baseURL,
}) => {
  const credentials = await signUp(page, newCredentials(), { verified: false });
  const id = await userId(credentials.email);
  const key = emailLinkKey(SENTINELS.AUTH_SECRET);
  const now = Math.floor(Date.now() / 1000);
  const anonymous = await playwright.request.newContext({ baseURL });
  const statusOf = async (token: string) =>
    new URL(
      (await anonymous.get(`/verify-email/confirm?token=${encodeURIComponent(token)}`, { maxRedirects: 0 })).headers().location ?? "",
      baseURL,
    ).search;
  const genuine = signEmailLink(key, "verify-email", id, credentials.email, now);
  expect(await statusOf(signEmailLink(key, "verify-email", id, credentials.email, now - 25 * 60 * 60))).toBe("?status=invalid"); // expired
  expect(await statusOf(signEmailLink(key, "reset-password", id, credentials.email, now))).toBe("?status=invalid"); // other purpose
  expect(await statusOf(signEmailLink(key, "verify-email", id, "attacker@example.com", now))).toBe("?status=invalid"); // other address
  expect(await statusOf(signEmailLink(emailLinkKey("a guessed secret"), "verify-email", id, credentials.email, now))).toBe(
    "?status=invalid",
  );
  expect(await statusOf(`${genuine.slice(0, -2)}xx`)).toBe("?status=invalid");
  const sql = e2eSql();
  expect((await sql`select email_verified from users where id = ${id}`)[0]!.email_verified).toBeNull();

  // "Send a new link": three an hour per address, then the wait is shown.
  await page.goto("/account");
  const resend = page.getByRole("button", { name: "Send a new link" });
  for (let sent = 0; sent < AUTH_ATTEMPT_LIMITS.verify_resend.perEmail.attempts; sent++) {
    await resend.click();
    await expect(page.getByText("We sent a new link. Check your inbox.")).toBeVisible();
    await page.reload();
  }
  await resend.click();
  await expect(page.getByText(/Too many attempts\. Try again in \d+ minutes?\./)).toBeVisible();
  expect((await receivedEmails(credentials.email)).filter((mail) => mail.subject === VERIFY_SUBJECT)).toHaveLength(
    1 + AUTH_ATTEMPT_LIMITS.verify_resend.perEmail.attempts,
  );

  expect(await statusOf(genuine)).toBe("?status=verified");
  expect((await sql`select email_verified from users where id = ${id}`)[0]!.email_verified).not.toBeNull();
  await sql.end();
  await anonymous.dispose();
});

test("password reset by email: same answer for unknown addresses, single-use 30-minute link, every old session refused", async ({
  page,
  browser,
  baseURL,
}) => {
  const credentials = await signUp(page);
  const id = await userId(credentials.email);
  const device = await otherDevice(browser, baseURL, credentials);
  await page.context().clearCookies();

  const ask = async (email: string) => {
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    return page.getByRole("status").textContent();
  };
  const unknownAnswer = await ask(`nobody-${newTag()}@example.com`);
  const knownAnswer = await ask(credentials.email);
  expect(knownAnswer).toBe(unknownAnswer);
  expect(knownAnswer).toContain("If an account uses that address");
  await screenshot(page, "forgot-password-sent");

  const { link } = await emailedLink(credentials.email, RESET_SUBJECT);
  // A forged or expired link gets no form, and its action refuses it.
  const key = emailLinkKey(SENTINELS.AUTH_SECRET);
  const expired = signEmailLink(key, "reset-password", id, credentials.email, Math.floor(Date.now() / 1000) - 31 * 60);
  await page.goto(`/reset-password?token=${encodeURIComponent(expired)}`);
  await expect(page.getByText("This link is invalid, expired or already used.")).toBeVisible();
  const forged = await postAction(page.request, "/reset-password", actionId("resetPasswordAction"), {
    token: expired,
    newPassword: "an attacker's password",
  });
  expect(await forged.text()).toContain('"code":"invalid_link"');

  await page.goto(link);
  await page.getByLabel("New password").fill("a fresh new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByText("Your password is changed and every device is logged out.")).toBeVisible();

  // Used once: the same link again offers no form, and a direct replay of the action is refused.
  await page.goto(link);
  await expect(page.getByText("This link is invalid, expired or already used.")).toBeVisible();
  const token = new URL(link).searchParams.get("token")!;
  const replay = await postAction(page.request, "/reset-password", actionId("resetPasswordAction"), {
    token,
    newPassword: "a replayed password",
  });
  expect(await replay.text()).toContain('"code":"invalid_link"');

  // The other device's session is gone, for pages, the chat route and actions.
  expect((await device.page.request.get("/account", { maxRedirects: 0 })).status()).toBe(307);
  await expectRefused(await postChat(device.page.request, { message: "hi", token: mintToken(id) }), 401, "unauthorized");
  await device.context.close();

  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await page.getByLabel("Password").fill("a fresh new password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/chat$/);
});

test("reset requests are rate limited per address, whatever the client IP", async ({ playwright, baseURL }) => {
  const email = `reset-limit-${newTag()}@example.com`;
  const outcomes: string[] = [];
  for (let attempt = 0; attempt <= AUTH_ATTEMPT_LIMITS.password_reset.perEmail.attempts; attempt++) {
    const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
    const response = await postAction(client, "/forgot-password", actionId("requestPasswordResetAction"), { email });
    outcomes.push((await response.text()).includes('"code":"rate_limited"') ? "limited" : "answered");
    await client.dispose();
  }
  expect(outcomes).toEqual([...Array(AUTH_ATTEMPT_LIMITS.password_reset.perEmail.attempts).fill("answered"), "limited"]);
});

test("a password change keeps this session and logs out the others; 'Log out everywhere' ends them all", async ({
  page,
  browser,
  baseURL,
}) => {
  const credentials = await signUp(page);
  const device = await otherDevice(browser, baseURL, credentials);
  await page.goto("/account");
  await page.getByLabel("Current password").fill(credentials.password);
  await page.getByLabel("New password").fill("another long password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Every other device is logged out.")).toBeVisible();
  expect((await page.request.get("/account", { maxRedirects: 0 })).status()).toBe(200);
  expect((await device.page.request.get("/account", { maxRedirects: 0 })).status()).toBe(307);
  await device.context.close();

  const second = await otherDevice(browser, baseURL, { ...credentials, password: "another long password" });
  await page.reload();
  await screenshot(page, "account-security");
  await page.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await second.page.request.get("/account", { maxRedirects: 0 })).status()).toBe(307);
  await second.page.goto("/chat");
  // The cookie still decodes, so proxy.ts lets it through; the page's own check sends it to log in.
  await expect(second.page).toHaveURL(/\/login\?next=(%2F|\/)chat$/);
  await second.context.close();
});

test("admin only for a proven address in ADMIN_EMAILS: signing up with it first proves nothing, a stored role grants nothing", async ({
  page,
  browser,
  baseURL,
}) => {
  const credentials = await signUp(page, { email: E2E_ADMIN_EMAILS[0]!, password: "a long enough password" }, { verified: false });
  expect((await page.request.get("/admin")).status()).toBe(404);
  await page.goto((await emailedLink(credentials.email, VERIFY_SUBJECT)).link);
  expect((await page.request.get("/admin")).status()).toBe(200);

  // A role written to the row (an old admin, a manual edit) is not admin without ADMIN_EMAILS.
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
  const other = await context.newPage();
  const { email } = await signUp(other);
  const sql = e2eSql();
  await sql`update users set role = 'admin' where email = ${email}`;
  await sql.end();
  expect((await other.request.get("/admin")).status()).toBe(404);
  await context.close();
});

test("the development mailbox does not exist in production", async ({ request }) => {
  expect((await request.get("/dev/mailbox")).status()).toBe(404);
});
