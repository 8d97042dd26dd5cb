import { expect, test } from "@playwright/test";
import { e2eSql } from "../e2e/database";
import { actionId, postAction } from "../e2e/server-actions";
import { signUpAndGetId } from "./support";

// Another user's conversation id, sent straight to the rename and delete actions and to the
// conversation page: nothing changes and nothing leaks.

async function createConversation(userId: string, title: string): Promise<string> {
  const sql = e2eSql();
  try {
    const [row] = await sql<{ id: string }[]>`insert into conversations (user_id, title) values (${userId}, ${title}) returning id`;
    await sql`insert into messages (conversation_id, role, content) values (${row!.id}, 'user', ${`${title}: the secret part`})`;
    return row!.id;
  } finally {
    await sql.end();
  }
}

async function conversationTitle(id: string): Promise<string | null> {
  const sql = e2eSql();
  try {
    const [row] = await sql<{ title: string }[]>`select title from conversations where id = ${id}`;
    return row?.title ?? null;
  } finally {
    await sql.end();
  }
}

test("rename, delete and view refuse another user's conversation; the owner's stays as it was", async ({ page, browser }) => {
  const owner = await signUpAndGetId(page);
  const victimConversation = await createConversation(owner.id, "Owner's launch plan");

  const attackerContext = await browser.newContext();
  const attackerPage = await attackerContext.newPage();
  const attacker = await signUpAndGetId(attackerPage);
  const attackersOwn = await createConversation(attacker.id, "Attacker's own");
  const rename = actionId("renameConversationAction");
  const remove = actionId("deleteConversationAction");

  // Control: the same raw requests work on the attacker's own conversation.
  const ownRename = await postAction(attackerPage.request, "/chat", rename, { conversationId: attackersOwn, title: "renamed" });
  expect(await ownRename.text()).toContain('"ok":true');
  expect(await conversationTitle(attackersOwn)).toBe("renamed");

  const renamed = await postAction(attackerPage.request, "/chat", rename, { conversationId: victimConversation, title: "pwned" });
  expect(await renamed.text()).toContain('"code":"not_found"');
  const deleted = await postAction(attackerPage.request, "/chat", remove, { conversationId: victimConversation });
  expect(await deleted.text()).toContain('"code":"not_found"');
  expect(await conversationTitle(victimConversation)).toBe("Owner's launch plan");

  // The page sends the attacker to a new chat, revealing nothing.
  const view = await attackerPage.request.get(`/chat/${victimConversation}`, { maxRedirects: 0 });
  expect(view.status()).toBe(307);
  expect(view.headers().location).toBe("/chat");
  expect(await view.text()).not.toContain("the secret part");
  const followed = await attackerPage.request.get(`/chat/${victimConversation}`);
  expect(await followed.text()).not.toContain("the secret part");

  // The owner still sees it.
  await page.goto(`/chat/${victimConversation}`);
  await expect(page.getByText("Owner's launch plan: the secret part")).toBeVisible();
  await attackerContext.close();
});
