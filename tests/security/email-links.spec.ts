import { expect, test } from "@playwright/test";
import { emailedLink, randomIp, signUp } from "../e2e/helpers";
import { actionId, postAction } from "../e2e/server-actions";

// Links in emails come from APP_URL alone. Next's CSRF check accepts an Origin that matches a
// client-sent X-Forwarded-Host, so a link built from request headers would carry a victim's reset
// token to the attacker's host.
test("a reset link is built from APP_URL, not from a forged Origin and X-Forwarded-Host", async ({ page, playwright, baseURL }) => {
  const { email } = await signUp(page);
  const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
  const response = await postAction(
    client,
    "/forgot-password",
    actionId("requestPasswordResetAction"),
    { email },
    { origin: "https://evil.example", "x-forwarded-host": "evil.example" },
  );
  // The forged pair passes Next's CSRF check (the action ran): what matters is where the link points.
  expect(await response.text()).toContain('"sent":true');
  const { link } = await emailedLink(email, "Reset your password");
  expect(new URL(link).origin).toBe(new URL(baseURL!).origin);
  await client.dispose();
});
