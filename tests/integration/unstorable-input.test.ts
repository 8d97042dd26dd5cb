import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { auditRows, chat, message, newUser, tag } from "../support/guard-harness";

// Issue 18.9: a field name or text with a NUL or a lone surrogate, which PostgreSQL refuses in
// text and jsonb. It used to be echoed into the audit row's error message; the row was refused
// forever, sat at the head of the outbox and stopped every drain. Now names are never echoed
// whole, and whatever is written is made storable first.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
await getDb();
const { issueRequestToken } = await import("@/lib/guard/request-token");
const { parseStrict } = await import("@/lib/guard/parse-strict");
const { storableJson, storableText } = await import("@/lib/text/storable");
const { z } = await import("zod");
const { sql } = await import("drizzle-orm");
const { rowsOf } = await import("@/db/rows");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

const poison = ["nul\u0000name", "lone\uD800surrogate", "tail\uDC00", "x".repeat(5000)];

describe("unstorable input", () => {
  it("parseStrict names at most the first unexpected field, cut to 40 characters and made storable", () => {
    const schema = z.strictObject({ message: z.string() });
    for (const name of poison) {
      let error: { message: string; fieldErrors?: Record<string, string[]> } | undefined;
      try {
        parseStrict(schema, { message: "hi", [name]: 1, other: 2 });
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error!.message).toMatch(/^2 unexpected fields, the first ".{1,41}"\.$/u);
      expect(error!.message).not.toMatch(/\u0000|[\uD800-\uDFFF]/);
      expect(error!.message.length).toBeLessThan(80);
      expect(Object.keys(error!.fieldErrors ?? {})).toEqual([]);
    }
  });

  it("storableText and storableJson keep valid text (pairs included) and replace only what PostgreSQL refuses", () => {
    expect(storableText("a\u0000b\uD800c\uDC00d 😀")).toBe("a\uFFFDb\uFFFDc\uFFFDd 😀");
    expect(storableJson({ "k\u0000": ["v\uD800", 1, null, { deep: "\u0000" }] })).toEqual({
      "k\uFFFD": ["v\uFFFD", 1, null, { deep: "\uFFFD" }],
    });
  });

  it("a chat request with such field names is refused, and its audit row is written (not stuck)", async () => {
    const user = await newUser();
    for (const name of poison) {
      const call = await chat(user, { message: message(tag()), token: issueRequestToken(user.id), [name]: "x" });
      await call.settled;
      expect(call.status).toBe(400);
    }
    const rows = await auditRows(user.id);
    expect(rows.map((row) => row.outcome)).toEqual(poison.map(() => "invalid_input"));
    for (const row of rows) expect(JSON.stringify(row.details)).not.toMatch(/\\u0000|x{100}/);
  });

  it("a message with a NUL and a lone surrogate is served, saved and audited", async () => {
    const user = await newUser();
    const label = tag();
    const call = await chat(user, { message: `Hello\u0000 there \uD800 [[tag:${label}]]`, token: issueRequestToken(user.id) });
    await call.settled;
    expect(call.events.at(-1)?.type).toBe("done");
    const [row] = await auditRows(user.id);
    expect(row!.outcome).toBe("served");
    expect(fake.stats(label).chat).toBe(1);
    // Both turns were saved (a NUL made the insert fail, logged, and the exchange was lost).
    const db = await getDb();
    const saved = rowsOf<{ role: string; content: string }>(
      await db.execute(sql`select m.role, m.content from messages m join conversations c on c.id = m.conversation_id
        where c.user_id = ${user.id} order by m.created_at`),
    );
    expect(saved.map((turn) => turn.role)).toEqual(["user", "assistant"]);
    expect(saved[0]!.content).toContain("Hello\uFFFD there \uFFFD");
  });
});
