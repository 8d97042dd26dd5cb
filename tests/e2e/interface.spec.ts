import { mkdirSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { demoReplyFor } from "@/lib/ai/demo-replies";
import { e2eSql } from "./database";
import { SCREENSHOT_DIR, signUp, watchForPageErrors } from "./helpers";
import { E2E_ADMIN_EMAILS } from "../support/sentinels";
import { signUpAndGetId } from "../security/support";

// The interface on every page, light and dark, phone (390 px) and desktop (1280 px):
// axe finds no serious or critical violation, nothing scrolls sideways on a phone, the chat's
// composer is on screen without scrolling, and a screenshot of each is kept as
// test-results/screenshots/<page>-<theme>-<width>.png. Pages are batched per test (one server,
// one sign-up) to keep the run short.

// CI runs the browser tests a second time with Redis reached over Upstash REST; the interface does
// not depend on that, so this file runs once.
test.skip(process.env.E2E_REDIS === "upstash", "interface checks run in the first browser pass");

const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;
const THEMES = ["light", "dark"] as const;

type Sweep = { name: string; path: string; ready: (page: Page) => Promise<void> };

async function sweep(page: Page, pages: Sweep[]): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const violations: string[] = [];
  for (const { name, path, ready } of pages) {
    for (const theme of THEMES) {
      // The theme follows the system by default (next-themes), so the emulated preference picks it.
      await page.emulateMedia({ colorScheme: theme, reducedMotion: "reduce" });
      for (const size of WIDTHS) {
        await page.setViewportSize(size);
        await page.goto(path);
        await ready(page);
        await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));

        const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
        for (const violation of axe.violations) {
          if (violation.impact === "serious" || violation.impact === "critical") {
            violations.push(
              `${name} ${theme} ${size.width}: ${violation.id} (${violation.impact}) ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
            );
          }
        }
        if (size.width === 390) {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) violations.push(`${name} ${theme} 390: scrolls sideways by ${overflow} px`);
        }
        await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${theme}-${size.width}.png`, fullPage: true });
      }
    }
  }
  return violations;
}

async function userIdOf(email: string): Promise<string> {
  const sql = e2eSql();
  try {
    const [row] = await sql<{ id: string }[]>`select id from users where email = ${email}`;
    return row!.id;
  } finally {
    await sql.end();
  }
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

// Each sweep loads every page four times and runs axe on it.
const SWEEP_TIMEOUT_MS = 480_000;

test("public pages: accessible, no sideways scroll on a phone, screenshots in both themes", async ({ page }) => {
  test.setTimeout(SWEEP_TIMEOUT_MS);
  const problems = watchForPageErrors(page);
  const violations = await sweep(page, [
    { name: "landing", path: "/", ready: heading(/guards every model call/) },
    { name: "login", path: "/login", ready: heading("Log in") },
    { name: "signup", path: "/signup", ready: heading("Create your account") },
    { name: "pricing", path: "/pricing", ready: heading("Pricing") },
    { name: "not-found", path: "/no-such-page", ready: heading("Page not found") },
    // The account flows a visitor reaches from an email or the log-in page.
    { name: "forgot-password", path: "/forgot-password", ready: heading("Forgot your password?") },
    { name: "reset-password-invalid", path: "/reset-password?token=not-a-token", ready: heading("Choose a new password") },
    { name: "verify-email-invalid", path: "/verify-email?status=invalid", ready: heading("Confirm your email") },
  ]);
  expect(violations).toEqual([]);
  expect(problems).toEqual([]);
});

test("signed-in pages and the console: accessible, chat composer on screen at 390 px, screenshots in both themes", async ({ page }) => {
  test.setTimeout(SWEEP_TIMEOUT_MS * 2);
  const problems = watchForPageErrors(page);
  // An admin (ADMIN_EMAILS, proven address), so the sweep covers /admin and the admin's menu.
  await signUp(page, { email: E2E_ADMIN_EMAILS[3]!, password: "a long enough password" });
  const user = { id: await userIdOf(E2E_ADMIN_EMAILS[3]!) };
  // A conversation with what replies look like: headings, a table, code in three languages.
  const sql = e2eSql();
  let conversationId: string;
  try {
    const [row] = await sql<
      { id: string }[]
    >`insert into conversations (user_id, title) values (${user.id}, 'Compare Python, Go and Rust for a web API') returning id`;
    conversationId = row!.id;
    const question = "Compare Python, Go and Rust for a web API in a table";
    await sql`insert into messages (conversation_id, role, content) values (${conversationId}, 'user', ${question})`;
    await sql`insert into messages (conversation_id, role, content) values (${conversationId}, 'assistant', ${demoReplyFor(question)})`;
    await sql`insert into conversations (user_id, title, updated_at) values (${user.id}, 'An older conversation with a title far too long to fit in the sidebar of a phone', now() - interval '3 days')`;
  } finally {
    await sql.end();
  }

  const composerOnScreen = async (page: Page) => {
    const composer = page.getByRole("textbox", { name: "Message" });
    await expect(composer).toBeVisible();
    await expect(composer).toBeInViewport({ ratio: 1 });
  };
  const violations = await sweep(page, [
    { name: "chat-empty", path: "/chat", ready: async (page) => (await heading("New chat")(page), await composerOnScreen(page)) },
    {
      name: "chat",
      path: `/chat/${conversationId}`,
      ready: async (page) => {
        await composerOnScreen(page);
        // Highlighting loads with the first code block.
        await expect(page.getByTestId("code-block").first().locator(".hljs-keyword").first()).toBeVisible();
      },
    },
    { name: "summarize", path: "/tools/summarize", ready: heading("Summarize") },
    { name: "rewrite", path: "/tools/rewrite", ready: heading("Rewrite") },
    { name: "account", path: "/account", ready: heading("Account") },
    { name: "pricing-signed-in", path: "/pricing", ready: heading("Pricing") },
    { name: "verify-email-signed-in", path: "/verify-email?status=verified", ready: heading("Confirm your email") },
  ]);
  violations.push(...(await consoleSweep(page, E2E_ADMIN_EMAILS[3]!)));
  expect(violations).toEqual([]);
  expect(problems).toEqual([]);
});

/**
 * Every console page, seeded with what an ordinary day shows: served, cached and refused
 * requests with costs under a cent, a down-vote, a day of usage (audit_daily follows from its
 * trigger). Run by the signed-in test, whose user is an admin (ADMIN_EMAILS allows five, all taken).
 */
async function consoleSweep(page: Page, email: string): Promise<string[]> {
  const admin = await userIdOf(email);
  const sql = e2eSql();
  let auditId: string;
  try {
    const rows = await sql<{ id: string; request_id: string }[]>`
      insert into audit_log (request_id, user_id, action, outcome, model, input_tokens, output_tokens, cost_micros, cache_hit, latency_ms, ip_hash, prompt_text, response_text, details)
      values
        (gen_random_uuid(), ${admin}, 'chat', 'served', 'gpt-4o-mini', 812, 240, 12, false, 930, 'a1b2c3d4e5f6a7b8c9d0', 'Compare Python, Go and Rust for a web API', 'Python is quickest to write; Go is simplest to run; Rust is fastest.', ${sql.json({ timings: { session: 2, input: 1, guard_total: 14, upstream_first_token: 410 } })}),
        (gen_random_uuid(), ${admin}, 'summarize', 'served', 'gpt-4o-mini', 300, 80, 0, true, 12, 'a1b2c3d4e5f6a7b8c9d0', null, null, ${sql.json({ cache: "exact" })}),
        (gen_random_uuid(), ${admin}, 'chat', 'rate_limited', null, 0, 0, 0, false, 3, 'a1b2c3d4e5f6a7b8c9d0', null, null, null)
      returning id, request_id`;
    auditId = rows[0]!.id;
    await sql`insert into feedback (request_id, user_id, rating, note, action, model) values (${rows[0]!.request_id}, ${admin}, -1, 'Too short for a comparison', 'chat', 'gpt-4o-mini') on conflict do nothing`;
    await sql`insert into usage_daily (user_id, day, requests, tokens_used, cost_micros) values (${admin}, current_date, 3, 1432, 12) on conflict do nothing`;
  } finally {
    await sql.end();
  }
  return sweep(page, [
    { name: "admin", path: "/admin", ready: heading("Console") },
    { name: "admin-audit", path: "/admin/audit", ready: heading("Audit log") },
    { name: "admin-audit-row", path: `/admin/audit/${auditId}`, ready: heading(/^Request /) },
    { name: "admin-users", path: "/admin/users", ready: heading("Users") },
    { name: "admin-user", path: `/admin/users/${admin}`, ready: heading(email) },
    { name: "admin-budgets", path: "/admin/budgets", ready: heading("Budgets") },
    { name: "admin-abuse", path: "/admin/abuse", ready: heading("Abuse") },
    // The abuse view grouped by hashed IP over the day, sorted by accounts: another table shape.
    { name: "admin-abuse-ips", path: "/admin/abuse?by=ip&window=24h&sort=accounts", ready: heading("Abuse") },
    { name: "admin-feedback", path: "/admin/feedback", ready: heading("Down-voted answers") },
  ]);
}

test("keyboard: send, stop, conversation menu and dialogs close with Escape and give focus back", async ({ page }) => {
  await signUpAndGetId(page);
  const input = page.getByRole("textbox", { name: "Message" });

  // Send with Enter, from the keyboard only.
  await input.focus();
  await page.keyboard.type("Hello from the keyboard");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("message-assistant").last()).toContainText("word11");
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  // Stop: Tab from the composer reaches the stop button while a reply streams.
  await input.focus();
  await page.keyboard.type("A long one [[fault:slow]]");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("message-assistant").last()).toContainText("word3");
  await input.focus();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Stop" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Stopped.")).toBeVisible();

  // The conversation's ⋯ menu opens with Enter; Rename opens a dialog; Escape closes it and
  // focus returns to the ⋯ button.
  const options = page
    .getByRole("navigation", { name: "Conversations" })
    .getByRole("button", { name: /^Options for Hello from the keyboard/ });
  await options.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Rename" })).toBeFocused();
  await page.keyboard.press("Enter");
  const rename = page.getByRole("dialog", { name: "Rename conversation" });
  await expect(rename).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(rename).toBeHidden();
  await expect(options).toBeFocused();

  // The user menu: Enter opens it, Escape closes it onto its button.
  const userMenu = page.getByRole("button", { name: "Account menu" });
  await userMenu.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Log out" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(userMenu).toBeFocused();

  // The danger zone's dialog on /account.
  await page.goto("/account");
  const remove = page.getByRole("button", { name: "Delete account" });
  await remove.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Delete your account?" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(remove).toBeFocused();

  // On a phone: the menu sheet and the conversations sheet.
  await page.setViewportSize({ width: 390, height: 844 });
  const menu = page.getByRole("button", { name: "Open menu" });
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Menu" }).getByRole("link", { name: "Chat" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(menu).toBeFocused();

  await page.goto("/chat");
  const list = page.getByRole("button", { name: "Show conversations" });
  await list.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Conversations" }).getByRole("link", { name: /Hello from the keyboard/ })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(list).toBeFocused();
});

test("chat: a second message sent right after a reply stays in view; the jump button returns to the latest", async ({ page }) => {
  await signUpAndGetId(page);
  await page.setViewportSize({ width: 390, height: 844 });
  const input = page.getByRole("textbox", { name: "Message" });
  // Long enough that the log scrolls on a phone.
  await input.fill(`First question\n${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n")}`);
  await input.press("Enter");
  await expect(page.getByTestId("message-assistant").last()).toContainText("word11");
  // As soon as the reply has ended (the send button is back), as the URL becomes the new conversation's.
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  await input.fill("Second question");
  await input.press("Enter");
  await expect(page.getByTestId("message-user")).toHaveCount(2);
  await expect(page.getByTestId("message-assistant")).toHaveCount(2);
  await expect(page.getByTestId("message-assistant").last()).toContainText("word11");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("message-user").last()).toHaveText("Second question");
  await expect(page.getByTestId("message-assistant").last()).toBeInViewport();

  // Scrolled up: the log stops following and offers a way back.
  await page.getByTestId("chat-log").evaluate((element) => element.scrollTo({ top: 0 }));
  const jump = page.getByRole("button", { name: "Jump to the latest message" });
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(page.getByTestId("message-assistant").last()).toBeInViewport();
  await expect(jump).toBeHidden();

  // The character count appears near the plan's limit; over it, sending is off.
  await input.fill("a".repeat(1_700));
  await expect(page.getByTestId("char-count")).toHaveText("1,700 / 2,000");
  await input.fill("a".repeat(2_001));
  await expect(page.getByTestId("char-count")).toContainText("too long for your plan");
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
});
