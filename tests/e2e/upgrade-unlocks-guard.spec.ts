import { expect, test } from "@playwright/test";
import { PLANS } from "@/lib/plans";
import { expectRefused, fakeStats, mintToken, newTag, postChat, signUpAndGetId } from "../security/support";
import { fakeStripeUrl, payAndNotify } from "./stripe";

// Billing and the guard together: the tier a Stripe webhook writes is the tier the guard
// enforces on the very next request.
test("after the upgrade webhook, the guard admits a request it refused on Free", async ({ page }) => {
  const user = await signUpAndGetId(page);
  const tag = newTag();
  // Longer than Free allows, within Pro's limit.
  const message = `${"a".repeat(PLANS.free.maxInputChars + 50)} [[tag:${tag}]]`;
  expect(message.length).toBeLessThanOrEqual(PLANS.pro.maxInputChars);

  await expectRefused(await postChat(page.request, { message, token: mintToken(user.id) }), 413, "message_too_long");
  expect((await fakeStats(tag)).chat).toBe(0);

  await page.goto("/pricing");
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page).toHaveURL(new RegExp(`^${fakeStripeUrl()}/checkout/cs_test_`));
  await payAndNotify(page.request, new URL(page.url()).pathname.split("/").pop()!);

  const served = await postChat(page.request, { message, token: mintToken(user.id) });
  expect(served.status(), await served.text()).toBe(200);
  expect((await fakeStats(tag)).chat).toBe(1);
});
