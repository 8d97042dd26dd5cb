import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { chat, message, newUser, tag } from "../support/guard-harness";

// Issue 18.13: per-IP limits are shared by everyone behind one address. With TRUSTED_PROXY=none
// that address was one global bucket (30 failed log-ins from anyone locked every user out);
// and since guard v2, refused accounts (blocked, unverified) filled an IP's AI window.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
await getDb();
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { AI_PER_IP_LIMIT, AUTH_ATTEMPT_LIMITS } = await import("@/lib/plans");

afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
  await closeDatabase(await getDb());
});

describe("per-IP limits", () => {
  it("refused accounts (unverified, blocked) do not use up their IP's AI window: a good user behind it still gets through", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const unverified = await newUser({ emailVerified: false });
    const calls = [];
    for (let n = 0; n < AI_PER_IP_LIMIT.attempts + 5; n++) {
      calls.push(chat(unverified, { message: message(tag()), token: issueRequestToken(unverified.id) }, { ip }));
      if (calls.length === 10) await Promise.all((await Promise.all(calls.splice(0))).map((call) => call.settled));
    }
    for (const call of await Promise.all(calls)) await call.settled;
    const good = await newUser();
    const label = tag();
    const served = await chat(good, { message: message(label), token: issueRequestToken(good.id) }, { ip });
    await served.settled;
    expect(served.events.at(-1)?.type, JSON.stringify(served.body)).toBe("done");
    expect(fake.stats(label).chat).toBe(1);
  });

  it("TRUSTED_PROXY=none turns per-IP log-in limits off (no shared bucket to lock everyone out); per-email still holds", async () => {
    const attempts = async (trustedProxy: string) => {
      vi.stubEnv("TRUSTED_PROXY", trustedProxy);
      vi.resetModules();
      const { checkAuthAttempt } = await import("@/lib/auth/attempts");
      const run = tag();
      const outcomes = [];
      for (let n = 0; n <= AUTH_ATTEMPT_LIMITS.login.perIp.attempts; n++) {
        outcomes.push((await checkAuthAttempt("login", "unknown", `stranger-${run}-${n}@example.com`)).allowed);
      }
      const victim = `victim-${run}@example.com`;
      const perEmail = [];
      for (let n = 0; n <= AUTH_ATTEMPT_LIMITS.login.perEmail.attempts; n++)
        perEmail.push((await checkAuthAttempt("login", "unknown", victim)).allowed);
      return { refusedAcrossEmails: outcomes.filter((allowed) => !allowed).length, lastForOneEmail: perEmail.at(-1) };
    };
    // A proxy hop count: the one address's bucket fills (so the check above is not vacuous).
    expect((await attempts("1")).refusedAcrossEmails).toBeGreaterThan(0);
    expect(await attempts("none")).toEqual({ refusedAcrossEmails: 0, lastForOneEmail: false });
  });

  it("a stranger failing log-ins for an address from one IP cannot lock its owner out elsewhere; a distributed burst meets the per-address ceiling (issue 18.5)", async () => {
    vi.stubEnv("TRUSTED_PROXY", "1");
    vi.resetModules();
    const { checkAuthAttempt } = await import("@/lib/auth/attempts");
    const victim = `owner-${tag()}@example.com`;
    const fromStranger = [];
    for (let n = 0; n <= AUTH_ATTEMPT_LIMITS.login.perEmailAndIp.attempts; n++) {
      fromStranger.push((await checkAuthAttempt("login", "198.51.100.66", victim)).allowed);
    }
    expect(fromStranger.at(-1)).toBe(false); // the stranger is stopped
    expect((await checkAuthAttempt("login", "192.0.2.10", victim)).allowed).toBe(true); // the owner is not
    // Many IPs at one address: stopped at the per-address ceiling.
    const distributed = await Promise.all(
      Array.from({ length: AUTH_ATTEMPT_LIMITS.login.perEmail.attempts }, (_, n) =>
        checkAuthAttempt("login", `10.9.${Math.floor(n / 250)}.${n % 250}`, victim),
      ),
    );
    expect(distributed.filter((outcome) => !outcome.allowed).length).toBeGreaterThan(0);
  });
});
