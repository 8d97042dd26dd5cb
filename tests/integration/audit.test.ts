import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { closeDatabase } from "../support/close-database";

// The audit log loses nothing: a failed write is retried, a retry never writes a row twice,
// and when every attempt fails the row goes to the server log, whole, to be replayed.
const outage = vi.hoisted(() => ({ failuresLeft: 0 }));
vi.mock("@/db", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/db")>();
  return {
    ...actual,
    getDb: async () => {
      if (outage.failuresLeft > 0) {
        outage.failuresLeft--;
        throw new Error("connection reset by peer");
      }
      return actual.getDb();
    },
  };
});

const { getDb } = await import("@/db");
const { auditLog } = await import("@/db/schema");
const { recordAudit } = await import("@/lib/audit-log");
const { eq } = await import("drizzle-orm");

async function rowsFor(requestId: string) {
  const db = await getDb();
  return db.select().from(auditLog).where(eq(auditLog.requestId, requestId));
}

afterAll(async () => {
  await closeDatabase(await getDb());
});

describe("recordAudit", () => {
  it("retries through a passing database failure and writes the row once", async () => {
    const requestId = randomUUID();
    outage.failuresLeft = 2;
    await recordAudit({ requestId, action: "chat", outcome: "served" });
    expect(outage.failuresLeft).toBe(0);
    expect(await rowsFor(requestId)).toHaveLength(1);
  });

  it("is idempotent on the request id", async () => {
    const requestId = randomUUID();
    await Promise.all([1, 2, 3].map(() => recordAudit({ requestId, action: "chat", outcome: "served" })));
    expect(await rowsFor(requestId)).toHaveLength(1);
  });

  it("when every attempt fails, logs the whole row as AUDIT_WRITE_FAILED instead of dropping it", async () => {
    const requestId = randomUUID();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    outage.failuresLeft = 100;
    await expect(recordAudit({ requestId, action: "chat", outcome: "quota_exceeded" })).resolves.toBeUndefined();
    outage.failuresLeft = 0;
    const call = logged.mock.calls.find(([marker]) => marker === "AUDIT_WRITE_FAILED");
    expect(call).toBeDefined();
    expect(JSON.parse(String(call![1]))).toMatchObject({ requestId, action: "chat", outcome: "quota_exceeded" });
    logged.mockRestore();
  });
});
