import { expect, test, type APIRequestContext } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { e2eSql } from "../e2e/database";
import { emailedLink, randomIp, receivedEmails, signUp } from "../e2e/helpers";
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

/** Asks for a reset link for this address directly (as the form does) and returns the newest link. */
async function requestResetLink(request: APIRequestContext, email: string, previous?: string): Promise<string> {
  const response = await postAction(request, "/forgot-password", actionId("requestPasswordResetAction"), { email });
  expect(await response.text()).toContain('"sent":true');
  let link = "";
  await expect.poll(async () => (link = (await emailedLink(email, "Reset your password")).link)).not.toBe(previous ?? "");
  return link;
}

async function resetWith(request: APIRequestContext, link: string, newPassword: string): Promise<string> {
  const token = new URL(link).searchParams.get("token")!;
  return (await postAction(request, "/reset-password", actionId("resetPasswordAction"), { token, newPassword })).text();
}

test("a reset link dies when the password changes: another reset used first, or a change on /account", async ({
  page,
  playwright,
  baseURL,
}) => {
  const credentials = await signUp(page);
  const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

  const first = await requestResetLink(client, credentials.email);
  const second = await requestResetLink(client, credentials.email, first);
  expect(await resetWith(client, second, "the second reset's password")).not.toContain("invalid_link");
  // The first link was never used, but the password it would replace is gone.
  expect(await resetWith(client, first, "an older link's password")).toContain('"code":"invalid_link"');

  const third = await requestResetLink(client, credentials.email, second);
  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill("the second reset's password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await page.goto("/account");
  await page.getByLabel("Current password").fill("the second reset's password");
  await page.getByLabel("New password").fill("changed on the account page");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Every other device is logged out.")).toBeVisible();
  expect(await resetWith(client, third, "a link from before the change")).toContain('"code":"invalid_link"');
  await client.dispose();
});

// Issue 18.5: the reset request awaited the SMTP send, so a known address answered measurably
// slower than an unknown one, and sign-up said the address was taken. Mail now goes after the
// response and sign-up answers a taken address as a new one. The SMTP fake takes 600 ms for
// "+slowmail" recipients; medians of interleaved requests, each from its own IP (the per-IP and
// per-address limits stay out of the way). What each answer says must be the same too.
const ENUMERATION_CASES = [
  {
    flow: "forgot-password",
    path: "/forgot-password",
    action: "requestPasswordResetAction",
    fields: (email: string) => ({ email }),
    answer: (status: number, headers: Record<string, string>, text: string) => `${status} ${text.includes('"sent":true')}`,
    mail: "Reset your password",
  },
  {
    flow: "sign-up",
    path: "/signup",
    action: "signUpAction",
    fields: (email: string) => ({ email, password: "a long enough password" }),
    // A redirect to the same page, with no session cookie either way.
    answer: (status: number, headers: Record<string, string>) =>
      `${status} ${headers["x-action-redirect"] ?? headers.location ?? ""} cookie:${/authjs|next-auth/.test(headers["set-cookie"] ?? "")}`,
    mail: "You already have an account",
  },
] as const;

for (const { flow, path, action, fields, answer, mail } of ENUMERATION_CASES) {
  test(`${flow} answers a known and an unknown address alike and in the same time (medians within 1.5x)`, async ({
    playwright,
    baseURL,
  }) => {
    const rounds = 9;
    const run = randomUUID().slice(0, 8);
    const known = Array.from({ length: rounds }, (_, n) => `known-${run}-${n}+slowmail@example.com`);
    const sql = e2eSql();
    try {
      for (const email of known)
        await sql`insert into users (id, email, password_hash) values (${randomUUID()}, ${email}, 'not-a-real-hash')`;
    } finally {
      await sql.end();
    }
    const answers = new Set<string>();
    const timeOne = async (email: string) => {
      const client = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": randomIp() } });
      const started = performance.now();
      const response = await postAction(client, path, actionId(action), fields(email));
      const text = await response.text();
      const elapsed = performance.now() - started;
      answers.add(answer(response.status(), response.headers(), text));
      await client.dispose();
      return elapsed;
    };
    await timeOne(`warm-up-${run}@example.com`);
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let n = 0; n < rounds; n++) {
      knownTimes.push(await timeOne(known[n]!));
      unknownTimes.push(await timeOne(`nobody-${run}-${n}+slowmail@example.com`));
    }
    expect([...answers]).toHaveLength(1);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const [knownMedian, unknownMedian] = [median(knownTimes), median(unknownTimes)];
    console.log(`${flow} medians: known ${knownMedian.toFixed(1)} ms, unknown ${unknownMedian.toFixed(1)} ms; answer ${[...answers][0]}`);
    expect(knownMedian / unknownMedian).toBeLessThan(1.5);
    expect(unknownMedian / knownMedian).toBeLessThan(1.5);
    // The mail still went out, after the response.
    await expect.poll(async () => (await receivedEmails(known[0]!)).map((received) => received.subject)).toContain(mail);
  });
}
