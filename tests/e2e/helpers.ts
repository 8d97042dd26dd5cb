import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import type { ReceivedEmail } from "../fakes/smtp-server";
import { fakeSmtpPorts } from "../support/sentinels";
import { e2eSql } from "./database";

export const SCREENSHOT_DIR = "test-results/screenshots";

export function newCredentials() {
  return { email: `e2e-${randomUUID()}@example.com`, password: "a long enough password" };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

/** Fails the test on any CSP violation or uncaught page error (a strict CSP can break scripts). */
export function watchForPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  return problems;
}

/**
 * Each signing-up test is its own client: the server trusts x-forwarded-for as set by a proxy
 * (Vercel sets it), and sign-ups are limited per IP, so one shared address would hit that limit.
 */
export async function actAsNewClient(page: Page): Promise<void> {
  await page.context().setExtraHTTPHeaders({ "x-forwarded-for": randomIp() });
}

/** A client address of its own, so per-IP limits of one test never touch another. */
export function randomIp(): string {
  const byte = () => Math.floor(Math.random() * 250) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

/**
 * Signs up through the form, then logs in from the "check your inbox" page it lands on (sign-up
 * never signs in: it answers a taken address the same way). Tests that are not about email
 * verification get the address marked proven in the database (as the emailed link would);
 * `{ verified: false }` leaves it unproven (tests/e2e/accounts.spec.ts follows the real link).
 */
export async function signUp(page: Page, credentials = newCredentials(), { verified = true } = {}) {
  await actAsNewClient(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Create account" }).click();
  // Hashing the password takes a while on a busy machine.
  await expect(page).toHaveURL(/\/verify-email\?status=sent/, { timeout: 15_000 });
  if (verified) await markEmailVerified(credentials.email);
  await page.getByRole("main").getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fchat$/);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(/\/chat$/, { timeout: 15_000 });
  return credentials;
}

export async function markEmailVerified(email: string): Promise<void> {
  const sql = e2eSql();
  try {
    await sql`update users set email_verified = now() where email = ${email.toLowerCase()}`;
  } finally {
    await sql.end();
  }
}

/** What the fake SMTP server received for this address, oldest first. */
export async function receivedEmails(to: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`http://127.0.0.1:${fakeSmtpPorts().control}/?to=${encodeURIComponent(to)}`);
  return (await response.json()) as ReceivedEmail[];
}

/** The newest email to this address with this subject (waits for it to arrive), and the app link in it. */
export async function emailedLink(to: string, subject: string): Promise<{ email: ReceivedEmail; link: string }> {
  let found: ReceivedEmail | undefined;
  await expect.poll(async () => (found = (await receivedEmails(to)).findLast((mail) => mail.subject === subject))).toBeTruthy();
  const link = /https?:\/\/\S+(?:verify-email\/confirm|reset-password)\?token=[^\s<>"]+/.exec(found!.text)?.[0];
  if (!link) throw new Error(`no link in: ${found!.text}`);
  return { email: found!, link };
}

/** Logs out through the user menu in the header (desktop width). */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Log out", exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();
}
