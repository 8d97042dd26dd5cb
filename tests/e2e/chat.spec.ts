import { expect, test } from "@playwright/test";
import { e2eSql } from "./database";
import { screenshot, watchForPageErrors } from "./helpers";
import { fakeStats, newTag, randomIp, signUpAndGetId } from "../security/support";

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

test("chat: send, watch it stream, stop one, reach the quota, see the upgrade message", async ({ page }) => {
  const problems = watchForPageErrors(page);
  const user = await signUpAndGetId(page);
  await expect(page).toHaveURL(/\/chat$/); // where sign-up lands
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();

  // Send with Enter; the reply streams in and the conversation appears in the list.
  const tag = newTag();
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill(`Hello there [[tag:${tag}]]`);
  await input.press("Enter");
  const reply = page.getByTestId("message-assistant").last();
  await expect(reply).toContainText("Echo:");
  await expect(reply).toContainText("word11");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: /Hello there/ })).toBeVisible();
  expect((await fakeStats(tag)).chat).toBe(1);
  await screenshot(page, "chat-streamed");

  // Shift+Enter makes a new line instead of sending.
  await input.press("Shift+Enter");
  await expect(input).toHaveValue("\n");
  await input.fill("");

  // A long reply, stopped part-way: the upstream call is aborted too.
  const slowTag = newTag();
  await input.fill(`Tell me a long story [[fault:slow]] [[tag:${slowTag}]]`);
  await page.getByRole("button", { name: "Send" }).click();
  const stop = page.getByRole("button", { name: "Stop" });
  await expect(stop).toBeVisible();
  await expect(page.getByTestId("message-assistant").last()).toContainText("word3");
  await stop.click();
  await expect(page.getByText("Stopped.")).toBeVisible();
  await expect.poll(async () => (await fakeStats(slowTag)).aborts).toBe(1);
  await screenshot(page, "chat-stopped");

  // Reach the daily quota: the refusal says what is left, when it resets, and where to upgrade.
  const sql = e2eSql();
  try {
    await sql`update usage_daily set requests = 20 where user_id = ${user.id}`;
  } finally {
    await sql.end();
  }
  const quotaTag = newTag();
  await input.fill(`One more [[tag:${quotaTag}]]`);
  await input.press("Enter");
  // One Alert: what was used, the reset in local time with a countdown, one upgrade button.
  const refusal = page.getByTestId("chat-error");
  await expect(refusal).toHaveCount(1);
  await expect(refusal).toContainText("0 of 20 requests");
  await expect(refusal).toContainText(/resets at .+ your time \(in \d+ (h|min|s)/);
  await expect(refusal.getByRole("link", { name: "Upgrade your plan" })).toHaveAttribute("href", "/pricing");
  expect((await fakeStats(quotaTag)).chat).toBe(0);
  // The composer stays disabled with that notice, also after a reload, until the reset or an upgrade.
  await expect(input).toBeDisabled();
  await page.reload();
  await expect(page.getByTestId("chat-error")).toContainText("0 of 20 requests");
  await expect(input).toBeDisabled();
  await screenshot(page, "chat-quota");

  // Rename and delete the conversation through its ⋯ menu; delete asks first.
  const conversations = page.getByRole("navigation", { name: "Conversations" });
  await conversations.getByRole("button", { name: /^Options for Hello there/ }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const rename = page.getByRole("dialog", { name: "Rename conversation" });
  await rename.getByLabel("Title").fill("Renamed chat");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(conversations.getByRole("link", { name: "Renamed chat" })).toBeVisible();
  await conversations.getByRole("button", { name: "Options for Renamed chat" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete this conversation?" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(conversations.getByText("No conversations yet.")).toBeVisible();
  expect(problems).toEqual([]);
});

test("summarize: validated JSON, and the same text again comes from the cache", async ({ page }) => {
  await signUpAndGetId(page);
  await page.goto("/tools/summarize");
  const tag = newTag();
  const text = `I love this starter, it is great. [[tag:${tag}]]`;
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Summarize" }).click();
  await expect(page.getByTestId("summary")).toContainText("positive");
  await expect(page.getByTestId("summary")).not.toContainText("from cache");
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Summarize" }).click();
  await expect(page.getByTestId("summary")).toContainText("from cache");
  expect((await fakeStats(tag)).chat).toBe(1);
  await screenshot(page, "summarize");
});

test("a long conversation opens on its latest messages; earlier ones load above without moving the reader", async ({ page }) => {
  const problems = watchForPageErrors(page);
  const user = await signUpAndGetId(page);
  const sql = e2eSql();
  let conversationId: string;
  try {
    const [row] = await sql<{ id: string }[]>`insert into conversations (user_id, title) values (${user.id}, 'A long one') returning id`;
    conversationId = row!.id;
    // 120 messages, a second apart: the page shows the latest 50.
    await sql`insert into messages (conversation_id, role, content, created_at)
      select ${conversationId}, case when n % 2 = 0 then 'user' else 'assistant' end, 'Old message number ' || n,
             now() - interval '1 day' + n * interval '1 second'
      from generate_series(0, 119) n`;
  } finally {
    await sql.end();
  }
  await page.goto(`/chat/${conversationId}`);
  const log = page.getByRole("log", { name: "Transcript" });
  await expect(log.getByText("Old message number 119", { exact: true })).toBeVisible();
  await expect(log.getByText(/^Old message number \d+$/)).toHaveCount(50);
  await expect(log.getByText("Old message number 69", { exact: true })).toHaveCount(0);

  const more = page.getByRole("button", { name: "Show earlier messages" });
  await more.click();
  await expect(log.getByText(/^Old message number \d+$/)).toHaveCount(100);
  // The reader stays where they were: the message that was on top is still in view.
  await expect(log.getByText("Old message number 70", { exact: true })).toBeInViewport();
  await more.click();
  await expect(log.getByText(/^Old message number \d+$/)).toHaveCount(120);
  await expect(more).toHaveCount(0); // nothing earlier: the button is gone
  await screenshot(page, "chat-earlier-messages");
  expect(problems).toEqual([]);
});
