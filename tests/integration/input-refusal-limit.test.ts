import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { newUser, runAction, summarize, tag } from "../support/guard-harness";

// Issue 18.9: a request refused at the input step (a body that does not parse, a forged token)
// is refused before the account is read and before any rate limit, for any cookie that
// decrypts: a loop on bad bodies wrote audit rows without limit. Now they are counted per
// cookie user and per IP (INPUT_REFUSAL_LIMITS), and good requests are not slowed by it.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
await getDb();
const { INPUT_REFUSAL_LIMITS } = await import("@/lib/plans");
const { summarize: summarizeFeature } = await import("@/lib/tools/summarize");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

/** Bursts start early in a minute, so a sliding window's two halves never admit extra. */
async function awaitFreshMinute() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

const codeOf = (result: unknown) => (result as { ok: boolean; error?: { code: string } }).error?.code ?? "ok";
const count = (codes: string[]) => Object.fromEntries([...new Set(codes)].map((code) => [code, codes.filter((c) => c === code).length]));

describe("refusals before the account is read", () => {
  it("a parallel burst of bad bodies from one user: exactly the limit is refused as invalid, the rest as rate-limited; a good request still passes", async () => {
    await awaitFreshMinute();
    const user = await newUser();
    const limit = INPUT_REFUSAL_LIMITS.perUser.attempts;
    const results = await Promise.all(
      Array.from({ length: limit + 10 }, (_, n) =>
        n % 2
          ? summarize(user, { text: "Summarize this.", role: "system" })
          : runAction(summarizeFeature, user, { text: "x", token: "forged" }),
      ),
    );
    const codes = results.map(codeOf);
    expect(Object.keys(count(codes)).sort()).toEqual(["invalid_input", "invalid_request_token", "rate_limited"]);
    expect(codes.filter((code) => code === "rate_limited")).toHaveLength(10);
    const refused = results.find((result) => codeOf(result) === "rate_limited") as { error: { message: string } };
    expect(refused.error.message).toMatch(/^Too many refused requests\. Try again in /);
    expect(await summarize(user, { text: `Summarize this good text. [[tag:${tag()}]]` })).toMatchObject({ ok: true });
  }, 120_000);

  it("bad bodies from many users behind one IP: the IP's refusals are capped, each user's own count is not reached", async () => {
    await awaitFreshMinute();
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const users = await Promise.all(Array.from({ length: 5 }, () => newUser()));
    const perUser = INPUT_REFUSAL_LIMITS.perUser.attempts - 2;
    const total = users.length * perUser;
    expect(total).toBeGreaterThan(INPUT_REFUSAL_LIMITS.perIp.attempts);
    const results = await Promise.all(
      users.flatMap((user) => Array.from({ length: perUser }, () => runAction(summarizeFeature, user, { text: "x", extra: "1" }, { ip }))),
    );
    const codes = results.map(codeOf);
    expect(codes.filter((code) => code === "invalid_input")).toHaveLength(INPUT_REFUSAL_LIMITS.perIp.attempts);
    expect(codes.filter((code) => code === "rate_limited")).toHaveLength(total - INPUT_REFUSAL_LIMITS.perIp.attempts);
  }, 120_000);
});
