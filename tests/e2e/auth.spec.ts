import { expect, test } from "@playwright/test";
import { PLANS } from "@/lib/plans";
import { logOut, newCredentials, receivedEmails, screenshot, signUp, watchForPageErrors } from "./helpers";

test("a logged-out visit to /account lands on /login and comes back after logging in", async ({ page }) => {
  const problems = watchForPageErrors(page);
  const credentials = await signUp(page);
  await logOut(page);

  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await screenshot(page, "login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-email")).toHaveText(credentials.email);
  expect(problems).toEqual([]);
});

test("sign up, see Free and zero usage, log out, log in", async ({ page }) => {
  const problems = watchForPageErrors(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("guards every model call");
  await screenshot(page, "landing");

  await page.getByRole("link", { name: "Create a free account" }).click();
  await expect(page).toHaveURL(/\/signup/);
  // Field errors come back from the server, beside their field.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await screenshot(page, "signup-errors");

  const credentials = newCredentials();
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Create account" }).click();

  // Sign-up answers "check your inbox" and signs nobody in; the user logs in from there.
  await expect(page).toHaveURL(/\/verify-email\?status=sent/);
  await expect(page.getByTestId("verify-email-status")).toContainText("Check your inbox");
  await screenshot(page, "signup-sent");
  await page.getByRole("main").getByRole("link", { name: "Log in" }).click();
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await page.goto("/account");
  await expect(page.getByTestId("account-email")).toHaveText(credentials.email);
  await expect(page.getByTestId("account-plan")).toHaveText("Free");
  await expect(page.getByRole("meter", { name: "Requests" })).toHaveAttribute("aria-valuenow", "0");
  await expect(page.getByRole("meter", { name: "Requests" })).toHaveAttribute("aria-valuemax", String(PLANS.free.requestsPerDay));
  await expect(page.getByRole("meter", { name: "Tokens" })).toHaveAttribute("aria-valuenow", "0");
  await expect(page.getByText(`0 of ${PLANS.free.tokensPerDay.toLocaleString("en-US")}`)).toBeVisible();
  await screenshot(page, "account");

  await logOut(page);
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill("a wrong password here");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();

  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await page.goto("/account");
  await expect(page.getByTestId("account-plan")).toHaveText("Free");
  expect(problems).toEqual([]);
});

test("signing up with a taken address answers as a new one, signs nobody in, and emails the owner", async ({ page }) => {
  const credentials = await signUp(page);
  await logOut(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(credentials.email.toUpperCase());
  await page.getByLabel("Password").fill("another long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify-email\?status=sent/);
  await expect(page.getByTestId("verify-email-status")).toContainText("Check your inbox");
  await expect(page.getByText("already exists")).toHaveCount(0);
  // No session: the header still offers to log in.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" })).toBeVisible();
  await expect
    .poll(async () => (await receivedEmails(credentials.email)).map((mail) => mail.subject))
    .toContain("You already have an account");
  // The owner's password still works; the one typed at sign-up does not.
  await page.goto("/login");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill("another long password");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
});

test("change password on /account", async ({ page }) => {
  const credentials = await signUp(page);
  await page.goto("/account");
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill("another long password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Current password is incorrect.")).toBeVisible();
  await page.getByLabel("Current password").fill(credentials.password);
  await page.getByLabel("New password").fill("another long password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();
});
