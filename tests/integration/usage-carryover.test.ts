import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";

// Issue 18.12: deleting an account and signing up again with the same address the same day
// gave a fresh daily quota. The new account starts from what the deleted one used today.

process.env.AUTH_SECRET ??= "integration-test-secret-0123456789abcdef";
const { getDb } = await import("@/db");
await getDb();
const { deleteUser } = await import("@/db/queries/billing");
const { reserveUsage } = await import("@/lib/guard/usage");
const { PLANS } = await import("@/lib/plans");

afterAll(async () => closeDatabase(await getDb()));

const plan = { ...PLANS.free, requestsPerDay: 3 };
const reserve = (userId: string) =>
  reserveUsage({
    requestId: randomUUID(),
    userId,
    action: "chat",
    model: "gpt-4.1-nano",
    plan,
    tokens: 100,
    costMicros: 10,
    budgetMicros: null,
  });

describe("deleting an account", () => {
  it("does not reset the daily quota of the address: a new account with it (in any case) starts from today's usage", async () => {
    const address = `carry-${randomUUID()}@example.com`;
    const first = await newUser({ email: address });
    for (let n = 0; n < 3; n++) expect(await reserve(first.id)).not.toHaveProperty("refused");
    expect(await reserve(first.id)).toEqual({ refused: "quota" });

    await deleteUser(first.id);
    const second = await newUser({ email: address.toUpperCase() });
    expect(second.id).not.toBe(first.id);
    expect(await reserve(second.id)).toEqual({ refused: "quota" });

    // Deleted and made again once more: still the same day's usage, neither reset nor doubled.
    await deleteUser(second.id);
    const third = await newUser({ email: address });
    expect(await reserve(third.id)).toEqual({ refused: "quota" });

    // Another address is not affected.
    const stranger = await newUser({ email: `carry-${randomUUID()}@example.com` });
    expect(await reserve(stranger.id)).not.toHaveProperty("refused");
  });

  it("carries what was used, not more: an account that used one request keeps two", async () => {
    const address = `carry-${randomUUID()}@example.com`;
    const first = await newUser({ email: address });
    expect(await reserve(first.id)).not.toHaveProperty("refused");
    await deleteUser(first.id);
    const again = await newUser({ email: address });
    expect(await reserve(again.id)).not.toHaveProperty("refused");
    expect(await reserve(again.id)).not.toHaveProperty("refused");
    expect(await reserve(again.id)).toEqual({ refused: "quota" });
  });
});
