import { expect, test } from "@playwright/test";
import { e2eSql } from "../e2e/database";
import { screenshot } from "../e2e/helpers";
import { expectRefused, fakeStats, mintToken, newTag, postChat, randomIp, signUpAndGetId } from "./support";

// The chat's model picker, attacked and used against the production build. The picker sends a
// model with each message; the server takes only one the user's plan offers now
// (lib/ai/offered.ts). A forged one is refused before anything is reserved or called upstream.

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

test("a forged model, another plan's, or one whose provider is off is refused over HTTP; nothing reserved, nothing called", async ({
  page,
}) => {
  const tag = newTag();
  const msg = `Hello [[tag:${tag}]]`;
  const user = await signUpAndGetId(page);
  const api = page.request;
  const token = () => mintToken(user.id);
  // Free offers GPT-4.1 nano only: mini is Pro's; Claude and Gemini are in no plan and their providers have no key here.
  await expectRefused(await postChat(api, { message: msg, token: token(), model: "gpt-4.1-mini" }), 403, "model_not_allowed");
  await expectRefused(await postChat(api, { message: msg, token: token(), model: "claude-sonnet-4-5" }), 403, "model_not_allowed");
  await expectRefused(await postChat(api, { message: msg, token: token(), model: "gemini-2.5-pro" }), 403, "model_not_allowed");
  // Not in the catalogue, or not a string: the body is refused as it is read.
  await expectRefused(await postChat(api, { message: msg, token: token(), model: "gpt-5-pro" }), 400, "invalid_input");
  await expectRefused(await postChat(api, { message: msg, token: token(), model: "__proto__" }), 400, "invalid_input");
  await expectRefused(await postChat(api, { message: msg, token: token(), model: ["gpt-4.1-nano"] }), 400, "invalid_input");
  expect((await fakeStats(tag)).chat).toBe(0);
  const sql = e2eSql();
  try {
    const usage = await sql<{ requests: number; tokens_reserved: string }[]>`
      select requests, tokens_reserved from usage_daily where user_id = ${user.id}`;
    expect(usage.map((row) => [row.requests, Number(row.tokens_reserved)])).toEqual(usage.length ? [[0, 0]] : []);
    expect(await sql`select 1 from conversations where user_id = ${user.id}`).toHaveLength(0);
    // Each refusal's audit row is written after its response: wait for the last one.
    const outcomes = async () =>
      (await sql<{ outcome: string }[]>`select outcome from audit_log where user_id = ${user.id} order by id`).map((row) => row.outcome);
    await expect.poll(outcomes).toEqual([...Array(3).fill("model_not_allowed"), ...Array(3).fill("invalid_input")]);
  } finally {
    await sql.end();
  }
  // The plan's own model is served.
  const served = await postChat(api, { message: msg, token: token(), model: "gpt-4.1-nano" });
  expect(served.status()).toBe(200);
  await served.text();
  expect((await fakeStats(tag)).last).toMatchObject({ model: "gpt-4.1-nano" });
});

test("the picker lists the plan's models, sends the choice, and the conversation restores it (phone, dark)", async ({ page }) => {
  const user = await signUpAndGetId(page);
  const sql = e2eSql();
  try {
    await sql`insert into subscriptions (user_id, plan, status) values (${user.id}, 'pro', null)`;
  } finally {
    await sql.end();
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/chat");
  const picker = page.getByRole("combobox", { name: "Model" });
  // Pro's models, cheapest first, with provider and price class; the best is chosen by default.
  await expect(picker.locator("option")).toHaveText(["GPT-4.1 nano · OpenAI · $", "GPT-4.1 mini · OpenAI · $$"]);
  await expect(picker).toHaveValue("gpt-4.1-mini");
  // Keyboard: focus it and choose the cheaper one with the arrow key.
  await picker.focus();
  await picker.selectOption("gpt-4.1-nano");
  await expect(picker).toHaveValue("gpt-4.1-nano");
  await screenshot(page, "model-picker-phone-dark");

  const tag = newTag();
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill(`Which model? [[tag:${tag}]]`);
  await input.press("Enter");
  await expect(page.getByTestId("message-assistant").last()).toContainText("Echo:");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  expect((await fakeStats(tag)).last).toMatchObject({ model: "gpt-4.1-nano" });

  // Reloaded, and opened from a new chat: the conversation comes back with its model.
  const conversationUrl = page.url();
  await page.goto("/chat");
  await expect(picker).toHaveValue("gpt-4.1-mini");
  await page.goto(conversationUrl);
  await expect(picker).toHaveValue("gpt-4.1-nano");
  const check = e2eSql();
  try {
    const [row] = await check<{ model: string | null }[]>`select model from conversations where user_id = ${user.id}`;
    expect(row?.model).toBe("gpt-4.1-nano");
  } finally {
    await check.end();
  }
  await screenshot(page, "model-picker-conversation-phone-dark");
});
