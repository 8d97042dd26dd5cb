import { afterAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";
import { closeDatabase } from "../support/close-database";
import { clearOfMinuteBoundary } from "../support/time-windows";
import { auditRows, newUser, summarize, tag } from "../support/guard-harness";
import { session } from "../support/session-mock";

// Issue 18.16: the feedback action wrote a row (and could evict cache entries) as fast as a
// script could post it. A burst in parallel on one answer: exactly the limit is taken.

vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

const fake = await startFakeOpenAI({ wordDelayMs: 1 });
Object.assign(process.env, { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.url, AUTH_SECRET: "integration-test-secret" });

const { getDb } = await import("@/db");
await getDb();
const { sendFeedbackAction } = await import("@/components/chat/feedback-action");
const { FEEDBACK_LIMIT } = await import("@/lib/plans");

afterAll(async () => {
  await fake.close();
  await closeDatabase(await getDb());
});

describe("the feedback action", () => {
  it("takes at most the limit's votes per user in a parallel burst, and says when to retry", async () => {
    const user = await newUser();
    expect(await summarize(user, { text: `Summarize this text for feedback. [[tag:${tag()}]]` })).toMatchObject({ ok: true });
    const [row] = await auditRows(user.id);
    session.user = user;
    const vote = (rating: string) => {
      const form = new FormData();
      form.set("requestId", row!.requestId);
      form.set("rating", rating);
      return sendFeedbackAction(null, form);
    };
    await clearOfMinuteBoundary(10_000); // the whole burst in one minute window, so it counts exactly
    const results = await Promise.all(Array.from({ length: FEEDBACK_LIMIT.attempts + 5 }, (_, n) => vote(n % 2 ? "up" : "down")));
    expect(results.filter((result) => result.ok)).toHaveLength(FEEDBACK_LIMIT.attempts);
    const refused = results.filter((result) => !result.ok);
    expect(refused).toHaveLength(5);
    for (const result of refused) expect(result).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });
});
