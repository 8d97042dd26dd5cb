import { expect, test } from "@playwright/test";
import { screenshot, watchForPageErrors } from "./helpers";
import { fakeStats, newTag, randomIp, signUpAndGetId } from "../security/support";

test.use({ extraHTTPHeaders: { "x-forwarded-for": randomIp() } });

test("rewrite: from the nav, a text in a tone; the same text and tone again comes from the cache, another tone does not", async ({
  page,
}) => {
  const problems = watchForPageErrors(page);
  await signUpAndGetId(page);
  await page.getByRole("banner").getByRole("link", { name: "Rewrite" }).click();
  await expect(page.getByRole("heading", { name: "Rewrite", level: 1 })).toBeVisible();
  const tag = newTag();
  const text = `hey, can u send the numbers by friday? thx [[tag:${tag}]]`;
  await page.getByLabel("Text").fill(text);
  await page.getByLabel("Tone").selectOption("formal");
  await page.getByRole("button", { name: "Rewrite" }).click();
  const result = page.getByTestId("rewrite");
  await expect(result).toContainText(`Echo: ${text}`);
  await expect(result).not.toContainText("from cache");
  await expect(page.getByRole("button", { name: "Rewrite" })).toBeEnabled();

  await page.getByRole("button", { name: "Rewrite" }).click();
  await expect(result).toContainText("from cache");
  expect((await fakeStats(tag)).chat).toBe(1);
  await screenshot(page, "rewrite");

  await page.getByLabel("Tone").selectOption("concise");
  await page.getByRole("button", { name: "Rewrite" }).click();
  await expect(result).not.toContainText("from cache");
  await expect.poll(async () => (await fakeStats(tag)).chat).toBe(2);
  expect(problems).toEqual([]);
});

test("rewrite: a refusal is shown and the text stays in the box", async ({ page }) => {
  await signUpAndGetId(page);
  await page.goto("/tools/rewrite");
  const tag = newTag();
  const text = `Please rewrite this [[fault:500]] [[tag:${tag}]]`;
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Rewrite" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("Text")).toHaveValue(text);
  await expect(page.getByTestId("rewrite")).toHaveCount(0);
});
