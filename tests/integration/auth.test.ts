import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { findUserByEmail, insertPasswordUser } from "@/db/queries/users";
import { effectivePlan, getTodayUsage } from "@/db/queries/account";
import { subscriptions, usageDaily } from "@/db/schema";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { authorizeWithPassword, RateLimitedSignIn } from "@/lib/auth";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { AUTH_ATTEMPT_LIMITS, PLANS } from "@/lib/plans";
import { utcDay } from "@/lib/time";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";

const uniqueEmail = () => `user-${randomUUID()}@example.com`;
const requestFrom = (ip: string) => new Request("http://localhost/api/auth/callback/credentials", { headers: { "x-forwarded-for": ip } });

afterAll(async () => {
  await closeDatabase(await getDb());
});

describe("users", () => {
  it("stores emails lower-cased and admits exactly one of many parallel sign-ups for one email", async () => {
    const email = uniqueEmail().toUpperCase();
    const passwordHash = await hashPassword("correct horse battery");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => insertPasswordUser({ email, name: null, passwordHash, role: "user" })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await findUserByEmail(email))?.email).toBe(email.toLowerCase());
  });

  it("hashes with argon2id and rejects wrong or malformed hashes", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword(stored, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored, "wrong horse battery")).toBe(false);
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });
});

describe("password sign-in (the Credentials authorize step)", () => {
  it("signs in with the right password only", async () => {
    const email = uniqueEmail();
    await newUser({ email, password: "right password 1" });
    const user = await authorizeWithPassword({ email, password: "right password 1" }, requestFrom("198.51.100.1"));
    expect(user).toMatchObject({ email, role: "user" });
    expect(await authorizeWithPassword({ email, password: "wrong password 1" }, requestFrom("198.51.100.1"))).toBeNull();
    expect(await authorizeWithPassword({ email: uniqueEmail(), password: "whatever" }, requestFrom("198.51.100.1"))).toBeNull();
    expect(await authorizeWithPassword({ email: "not-an-email", password: "x" }, requestFrom("198.51.100.1"))).toBeNull();
  });

  it("refuses a parallel brute-force burst past the per-email limit, even when the password is right", async () => {
    const email = uniqueEmail();
    await newUser({ email, password: "right password 2" });
    const limit = AUTH_ATTEMPT_LIMITS.login.perEmail.attempts;
    // Each attempt from a different IP, so only the per-email limit can stop them.
    const outcomes = await Promise.allSettled(
      Array.from({ length: limit * 3 }, (_, i) =>
        authorizeWithPassword({ email, password: "wrong password" }, requestFrom(`203.0.113.${i + 1}`)),
      ),
    );
    const limited = outcomes.filter((o) => o.status === "rejected" && o.reason instanceof RateLimitedSignIn);
    expect(limited).toHaveLength(limit * 2);
    const after = authorizeWithPassword({ email, password: "right password 2" }, requestFrom("192.0.2.200"));
    await expect(after).rejects.toBeInstanceOf(RateLimitedSignIn);
    await expect(after).rejects.toMatchObject({ code: expect.stringMatching(/^rate_limited:\d+$/) });
  });

  it("limits one IP across many emails", async () => {
    const ip = `test-ip-${randomUUID()}`;
    const limit = AUTH_ATTEMPT_LIMITS.login.perIp.attempts;
    const outcomes = await Promise.all(Array.from({ length: limit + 5 }, () => checkAuthAttempt("login", ip, uniqueEmail())));
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(limit);
    const refused = outcomes.find((o) => !o.allowed);
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe("sign-up attempts", () => {
  it("are limited per email, however many IPs they come from", async () => {
    const email = uniqueEmail();
    const limit = AUTH_ATTEMPT_LIMITS.signup.perEmail.attempts;
    const outcomes = await Promise.all(
      Array.from({ length: limit + 3 }, () => checkAuthAttempt("signup", `test-ip-${randomUUID()}`, email)),
    );
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(limit);
  });
});

describe("account data", () => {
  it("reports zero usage for a new user and counts reservations in the meter", async () => {
    const user = await newUser();
    expect(await getTodayUsage(user.id)).toEqual({ requests: 0, tokens: 0 });
    const db = await getDb();
    await db.insert(usageDaily).values({ userId: user.id, day: utcDay(), requests: 3, tokensUsed: 100, tokensReserved: 50 });
    expect(await getTodayUsage(user.id)).toEqual({ requests: 3, tokens: 150 });
  });

  it("derives the plan from the subscription row and never trusts an unknown plan name", async () => {
    const user = await newUser();
    const db = await getDb();
    const [row] = await db.insert(subscriptions).values({ userId: user.id, plan: "pro", status: "active" }).returning();
    expect(effectivePlan(null)).toBe(PLANS.free);
    expect(effectivePlan(row!)).toBe(PLANS.pro);
    expect(effectivePlan({ ...row!, status: "canceled" })).toBe(PLANS.free);
    expect(effectivePlan({ ...row!, plan: "enterprise" })).toBe(PLANS.free);
  });
});
