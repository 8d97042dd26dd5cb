import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, heldReservations, newUser, summarize, tag, usageRow } from "../support/guard-harness";

// Issue 18.11: settled <= reserved was asserted by tests only. The provider here bills 10,000
// prompt tokens more than it was sent ([[fault:overbill]]): the settle is clamped to the
// reservation, logged, and counted where the console reads it.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
await getDb();
const { reservationBreaches } = await import("@/db/queries/console");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe("a settle above the reservation", () => {
  it("is charged at most the reservation, and counted on the audit row and the console", async () => {
    const user = await newUser();
    const label = tag();
    const before = await reservationBreaches(1);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await summarize(user, { text: `Summarize the following text, please. [[fault:overbill]] [[tag:${label}]]` });
    errors.mockRestore();
    expect(result).toMatchObject({ ok: true });
    const billed = fake.stats(label).billed;
    const [row] = await auditRows(user.id);
    const details = row!.details as { reservedTokens: number; reservationBreach?: { settledTokens: number; reservedTokens: number } };
    expect(billed.promptTokens + billed.completionTokens + billed.embeddingTokens).toBeGreaterThan(details.reservedTokens);
    expect(details.reservationBreach).toMatchObject({ reservedTokens: details.reservedTokens });
    expect(details.reservationBreach!.settledTokens).toBeGreaterThan(details.reservedTokens);
    const usage = await usageRow(user.id);
    expect(usage).toMatchObject({ requests: 1, tokensReserved: 0, tokensUsed: details.reservedTokens });
    expect(await heldReservations(user.id)).toEqual([]);
    expect(await reservationBreaches(1)).toBe(before + 1);
  });
});
