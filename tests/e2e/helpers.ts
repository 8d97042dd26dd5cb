import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";

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

export async function signUp(page: Page, credentials = newCredentials()) {
  await actAsNewClient(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Create account" }).click();
  // A new user lands in the chat (password hashing and the first render take a while on a busy machine).
  await expect(page).toHaveURL(/\/chat$/, { timeout: 15_000 });
  return credentials;
}

/** Logs out through the user menu in the header (desktop width). */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();
}
