import { expect, test } from "@playwright/test";
import { AUTH_ATTEMPT_LIMITS } from "@/lib/plans";
import { e2eSql } from "../e2e/database";
import { signUp } from "../e2e/helpers";
import { actionId, postAction } from "../e2e/server-actions";
import { randomIp } from "./support";

// A stolen session cookie is not enough to change the password or delete the account: both
// actions want the current password, and guessing it is limited per user like log-in.

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

test("delete-account and change-password refuse a session without the current password", async ({ page }) => {
  const credentials = await signUp(page);
  const deleteAccount = await postAction(page.request, "/account", actionId("deleteAccountAction"), { confirmation: "DELETE" });
  expect(await deleteAccount.text()).toContain("Current password is incorrect.");
  const change = await postAction(page.request, "/account", actionId("changePasswordAction"), {
    currentPassword: "a guess at it",
    newPassword: "an attacker's password",
  });
  expect(await change.text()).toContain("Current password is incorrect.");
  const sql = e2eSql();
  expect(await sql`select 1 from users where email = ${credentials.email}`).toHaveLength(1);
  await sql.end();
});

test("guessing the current password is limited per user, across client addresses, even when the guess is finally right", async ({
  page,
  playwright,
  baseURL,
}) => {
  const credentials = await signUp(page);
  const cookies = await page.context().storageState();
  const limit = AUTH_ATTEMPT_LIMITS.sensitive.perEmail.attempts;
  const outcomes: string[] = [];
  for (let attempt = 0; attempt <= limit; attempt++) {
    const client = await playwright.request.newContext({
      baseURL,
      storageState: cookies,
      extraHTTPHeaders: { "x-forwarded-for": randomIp() },
    });
    const password = attempt === limit ? credentials.password : `wrong guess ${attempt}`;
    const body = await (
      await postAction(client, "/account", actionId("changePasswordAction"), {
        currentPassword: password,
        newPassword: "an attacker's password",
      })
    ).text();
    outcomes.push(
      body.includes('"code":"rate_limited"') ? "limited" : body.includes("Current password is incorrect.") ? "wrong" : body.slice(0, 120),
    );
    await client.dispose();
  }
  expect(outcomes).toEqual([...Array(limit).fill("wrong"), "limited"]);
});
