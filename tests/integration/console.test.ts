import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startWebhookReceiver } from "../fakes/webhook-receiver";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";

// The operator console's reads and the budget alerts, on the database itself. Other test files
// share this database (on PostgreSQL), so every case here works on days of its own, far from
// today, and on users of its own.

const webhook = await startWebhookReceiver();
const { received, state: receiver } = webhook;
Object.assign(process.env, {
  DAILY_BUDGET_USD: "10",
  MONTHLY_BUDGET_USD: "100",
  BUDGET_ALERT_WEBHOOK_URL: webhook.url,
  CRON_SECRET: "console-test-cron-secret-0123456789",
  AUDIT_RETENTION_DAYS: "30",
});

const { getDb } = await import("@/db");
const { auditDaily, auditLog, budgetAlerts, budgetDaily } = await import("@/db/schema");
const { insertPasswordUser } = await import("@/db/queries/users");
const { recordAudit } = await import("@/lib/audit-log");
const console_ = await import("@/db/queries/console");
const { recordBudgetAlerts, deliverBudgetAlert, checkBudgetAlerts } = await import("@/lib/guard/budget-alerts");
const { currentBudgets, setBudgetOverride } = await import("@/lib/budgets");
const { saveFeedback } = await import("@/db/queries/feedback");
const { reserveUsage } = await import("@/lib/guard/usage");
const { PLANS } = await import("@/lib/plans");
const { clearExpiredAuditText } = await import("@/lib/audit-retention");
const { and, eq, sql } = await import("drizzle-orm");

// Opening (and, embedded, migrating) the database is setup, not the first test's time.
beforeAll(async () => {
  await getDb();
});

afterAll(async () => {
  await webhook.close();
  await closeDatabase(await getDb());
});

beforeEach(() => {
  received.length = 0;
  receiver.failuresLeft = 0;
});

/** A day no other test touches: somewhere in 2040-2099, different for each call. */
function isolatedDay(): string {
  const year = 2040 + Math.floor(Math.random() * 60);
  const month = String(1 + Math.floor(Math.random() * 12)).padStart(2, "0");
  return `${year}-${month}-${String(10 + Math.floor(Math.random() * 18)).padStart(2, "0")}`;
}

describe("the daily rollup", () => {
  it("counts every audit row once, by day, feature, model, outcome and cache hit", async () => {
    const day = isolatedDay();
    const at = (hour: number) => new Date(`${day}T${String(hour).padStart(2, "0")}:30:00Z`);
    const user = await newUser();
    const rows = [
      { outcome: "served", model: "gpt-4.1-nano", costMicros: 120, inputTokens: 10, outputTokens: 20, cacheHit: false },
      { outcome: "served", model: "gpt-4.1-nano", costMicros: 80, inputTokens: 5, outputTokens: 10, cacheHit: false },
      {
        outcome: "served",
        model: "gpt-4.1-nano",
        costMicros: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheHit: true,
        details: { savedMicros: 90 },
      },
      { outcome: "rate_limited", model: null, costMicros: 0, inputTokens: 0, outputTokens: 0, cacheHit: false },
      { outcome: "quota_exceeded", model: "gpt-4.1-mini", costMicros: 0, inputTokens: 0, outputTokens: 0, cacheHit: false },
      { outcome: "replayed_request", model: "gpt-4.1-mini", costMicros: 0, inputTokens: 0, outputTokens: 0, cacheHit: false },
      { outcome: "upstream_timeout", model: "gpt-4.1-mini", costMicros: 0, inputTokens: 0, outputTokens: 0, cacheHit: false },
      { outcome: "aborted", model: "gpt-4.1-mini", costMicros: 300, inputTokens: 50, outputTokens: 60, cacheHit: false },
    ];
    const requestIds = rows.map(() => randomUUID());
    for (const [index, row] of rows.entries()) {
      await recordAudit({ requestId: requestIds[index]!, userId: user.id, action: "chat", createdAt: at(index), ...row });
    }
    // A retried write of the same request, and an admin action: neither is a model request.
    await recordAudit({ requestId: requestIds[0]!, userId: user.id, action: "chat", outcome: "served", createdAt: at(1), costMicros: 999 });
    await recordAudit({ requestId: randomUUID(), userId: user.id, action: "admin.set_plan", outcome: "ok", createdAt: at(2) });

    const summary = await console_.outcomeSummary(1, day);
    expect(summary.total).toBe(8);
    expect(summary.byGroup).toMatchObject({
      served: 2,
      cached: 1,
      "rate limited": 1,
      "over quota": 1,
      "invalid input": 1,
      "upstream error": 1,
      aborted: 1,
      budget: 0,
      lost: 0,
      other: 0,
    });
    expect(summary.costMicros).toBe(500);
    expect(summary.savedMicros).toBe(90);
    expect(summary.cacheHitRate).toBeCloseTo(1 / 3);
    expect(summary.byModel).toEqual([
      { model: "gpt-4.1-mini", requests: 4, costMicros: 300 },
      { model: "gpt-4.1-nano", requests: 3, costMicros: 200 },
    ]);
    expect(await console_.dailySeries(1, day)).toEqual([
      { day, model: "none", requests: 1, costMicros: 0 },
      { day, model: "gpt-4.1-mini", requests: 4, costMicros: 300 },
      { day, model: "gpt-4.1-nano", requests: 3, costMicros: 200 },
    ]);

    // The sweeper's `lost` row, replaced by the request's real one when it did finish: counted once, as served.
    const late = randomUUID();
    await recordAudit({ requestId: late, userId: user.id, action: "chat", outcome: "lost", model: "gpt-4.1-nano", createdAt: at(12) });
    await recordAudit({
      requestId: late,
      userId: user.id,
      action: "chat",
      outcome: "served",
      model: "gpt-4.1-nano",
      costMicros: 50,
      inputTokens: 3,
      outputTokens: 4,
      createdAt: at(12),
    });
    const after = await console_.outcomeSummary(1, day);
    expect(after.total).toBe(9);
    expect(after.byGroup).toMatchObject({ served: 3, lost: 0 });
    expect(after.costMicros).toBe(550);

    // The rollup equals a count over the log itself.
    const db = await getDb();
    const [fromLog] = await db
      .select({ requests: sql<number>`count(*)::int`, cost: sql<number>`sum(cost_micros)::int` })
      .from(auditLog)
      .where(sql`(created_at at time zone 'UTC')::date = ${day}::date`);
    const [fromRollup] = await db
      .select({ requests: sql<number>`sum(requests)::int`, cost: sql<number>`sum(cost_micros)::int` })
      .from(auditDaily)
      .where(eq(auditDaily.day, day));
    expect(fromRollup).toEqual(fromLog);
  });
});

describe("spend by provider and model", () => {
  it("groups the day's AI requests by the catalogue's provider, then model, with tokens and cost, dearest first", async () => {
    const day = isolatedDay();
    const at = (hour: number) => new Date(`${day}T${String(hour).padStart(2, "0")}:10:00Z`);
    const user = await newUser();
    const rows = [
      { outcome: "served", model: "gpt-4.1-nano", costMicros: 100, inputTokens: 10, outputTokens: 20 },
      { outcome: "served", model: "gpt-4.1-mini", costMicros: 400, inputTokens: 30, outputTokens: 40 },
      { outcome: "model_not_allowed", model: "gpt-4.1-mini", costMicros: 0, inputTokens: 0, outputTokens: 0 },
      { outcome: "served", model: "claude-haiku-4-5", costMicros: 900, inputTokens: 50, outputTokens: 60 },
      { outcome: "served", model: "retired-model", costMicros: 5, inputTokens: 1, outputTokens: 1 },
      { outcome: "rate_limited", model: null, costMicros: 0, inputTokens: 0, outputTokens: 0 },
    ];
    for (const [index, row] of rows.entries()) {
      await recordAudit({ requestId: randomUUID(), userId: user.id, action: "chat", createdAt: at(index), ...row });
    }
    await recordAudit({
      requestId: randomUUID(),
      userId: user.id,
      action: "admin.set_plan",
      outcome: "ok",
      model: "gpt-4.1-nano",
      createdAt: at(9),
    });
    expect(await console_.spendByProviderModel(1, day)).toEqual([
      {
        provider: "anthropic",
        requests: 1,
        tokens: 110,
        costMicros: 900,
        models: [{ model: "claude-haiku-4-5", requests: 1, tokens: 110, costMicros: 900 }],
      },
      {
        provider: "openai",
        requests: 3,
        tokens: 100,
        costMicros: 500,
        models: [
          { model: "gpt-4.1-mini", requests: 2, tokens: 70, costMicros: 400 },
          { model: "gpt-4.1-nano", requests: 1, tokens: 30, costMicros: 100 },
        ],
      },
      {
        provider: "unknown",
        requests: 1,
        tokens: 2,
        costMicros: 5,
        models: [{ model: "retired-model", requests: 1, tokens: 2, costMicros: 5 }],
      },
    ]);
  });
});

describe("the audit log browser", () => {
  it("filters by user email, outcome, model, cache hit and dates, newest first, in pages that neither skip nor repeat", async () => {
    const day = isolatedDay();
    const [alice, bob] = [await newUser(), await newUser()];
    const ids: string[] = [];
    for (let index = 0; index < 7; index++) {
      const requestId = randomUUID();
      ids.push(requestId);
      await recordAudit({
        requestId,
        userId: index % 2 === 0 ? alice.id : bob.id,
        action: "chat",
        outcome: index === 3 ? "moderated" : "served",
        model: index < 4 ? "gpt-4.1-nano" : "gpt-4.1-mini",
        cacheHit: index === 6,
        createdAt: new Date(`${day}T10:00:0${index}Z`),
      });
    }
    const scope = { from: day, to: day };
    const all = await console_.listAuditRows(scope, 100);
    expect(all.rows.map((row) => row.requestId)).toEqual([...ids].reverse());

    // Pages of 3 in either order: each continues after the previous page's last row.
    const paged = async (sort: "newest" | "oldest") => {
      const pages: string[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await console_.listAuditRows({ ...scope, sort, before }, 3);
        pages.push(...page.rows.map((row) => row.requestId));
        if (page.nextBefore === null) return pages;
        before = page.nextBefore;
      }
    };
    expect(await paged("newest")).toEqual([...ids].reverse());
    expect(await paged("oldest")).toEqual(ids);
    expect((await console_.listAuditRows({ ...scope, sort: "oldest", email: bob.email! })).rows.map((row) => row.requestId)).toEqual([
      ids[1],
      ids[3],
      ids[5],
    ]);

    const aliceRows = await console_.listAuditRows({ ...scope, email: alice.email.toUpperCase() });
    expect(aliceRows.rows.map((row) => row.requestId)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    expect(aliceRows.rows.every((row) => row.email === alice.email)).toBe(true);
    expect((await console_.listAuditRows({ ...scope, email: "nobody@example.com" })).rows).toEqual([]);
    expect((await console_.listAuditRows({ ...scope, outcome: "moderated" })).rows.map((row) => row.requestId)).toEqual([ids[3]]);
    expect((await console_.listAuditRows({ ...scope, model: "gpt-4.1-mini" })).rows).toHaveLength(3);
    expect((await console_.listAuditRows({ ...scope, cacheHit: true })).rows.map((row) => row.requestId)).toEqual([ids[6]]);
    expect(
      (await console_.listAuditRows({ from: day, to: day, email: bob.email, model: "gpt-4.1-nano" })).rows.map((row) => row.requestId),
    ).toEqual([ids[3], ids[1]]);

    const exported: string[] = [];
    for await (const page of console_.allAuditRows({ ...scope }, 2)) exported.push(...page.map((row) => row.requestId));
    expect(exported).toEqual([...ids].reverse());
  });
});

describe("budget alerts", () => {
  async function spendOn(day: string, micros: number) {
    const db = await getDb();
    await db
      .insert(budgetDaily)
      .values({ day, costMicros: micros })
      .onConflictDoUpdate({ target: budgetDaily.day, set: { costMicros: micros } });
  }

  it("records and delivers each threshold once per period, however many requests cross it at once", async () => {
    const day = isolatedDay();
    await spendOn(day, 8_500_000); // 85 % of the daily $10; the month has 8.5 % of $100
    const results = await Promise.all(Array.from({ length: 30 }, () => recordBudgetAlerts(day, 8_500_000)));
    expect(
      results
        .flat()
        .map((alert) => `${alert.period}:${alert.thresholdPercent}`)
        .sort(),
    ).toEqual(["daily:50", "daily:80"]);
    expect(received.map((alert) => alert.thresholdPercent).sort()).toEqual([50, 80]);
    expect(received[0]!.text).toMatch(/^AI daily budget (50|80)% used on /);

    // Crossing 100 % of the day and 50 % of the month, again from many requests at once.
    await spendOn(day, 10_000_000);
    const month = `${day.slice(0, 7)}-01`;
    // An earlier day of the same month (isolatedDay() is the 10th or later): the month to date counts it.
    const other = `${day.slice(0, 8)}01`;
    await spendOn(other, 45_000_000);
    received.length = 0;
    await Promise.all(Array.from({ length: 30 }, () => recordBudgetAlerts(day, 10_000_000)));
    expect(received.map((alert) => `${alert.period}:${alert.thresholdPercent}`).sort()).toEqual(["daily:100", "monthly:50"]);

    const db = await getDb();
    const rows = await db
      .select()
      .from(budgetAlerts)
      .where(
        sql`(${budgetAlerts.period} = 'daily' and ${budgetAlerts.day} = ${day}) or (${budgetAlerts.period} = 'monthly' and ${budgetAlerts.day} = ${month})`,
      );
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.deliveredAt !== null && row.deliveryAttempts === 1 && row.lastError === null)).toBe(true);
  });

  it("retries a failing webhook, records the failure, and a later retry delivers it", async () => {
    const day = isolatedDay();
    await spendOn(day, 5_000_000);
    receiver.failuresLeft = 3;
    expect((await recordBudgetAlerts(day, 5_000_000)).map((alert) => alert.thresholdPercent)).toEqual([50]);
    expect(received).toEqual([]);
    const db = await getDb();
    const key = and(eq(budgetAlerts.period, "daily"), eq(budgetAlerts.day, day), eq(budgetAlerts.thresholdPercent, 50));
    const [failed] = await db.select().from(budgetAlerts).where(key);
    expect(failed).toMatchObject({ deliveredAt: null, deliveryAttempts: 3, lastError: "HTTP 500" });

    expect(await deliverBudgetAlert(failed!)).toBe(true);
    expect(received.map((alert) => alert.thresholdPercent)).toEqual([50]);
    const [delivered] = await db.select().from(budgetAlerts).where(key);
    expect(delivered).toMatchObject({ deliveryAttempts: 4, lastError: null });
    expect(delivered!.deliveredAt).toBeInstanceOf(Date);
  });

  it("an admin's budget for the current period replaces the default and its alerts follow it", async () => {
    const day = isolatedDay();
    expect((await currentBudgets(day)).daily).toMatchObject({ micros: 10_000_000, defaultMicros: 10_000_000, overridden: false });
    await setBudgetOverride("daily", 20_000_000, "admin-id", day);
    await setBudgetOverride("monthly", 1_000_000_000, "admin-id", day);
    expect((await currentBudgets(day)).daily).toMatchObject({ micros: 20_000_000, overridden: true });
    await spendOn(day, 10_000_000); // 100 % of the default, 50 % of today's budget
    expect((await recordBudgetAlerts(day, 10_000_000)).map((alert) => `${alert.period}:${alert.thresholdPercent}`)).toEqual(["daily:50"]);
    await setBudgetOverride("daily", null, "admin-id", day);
    expect((await currentBudgets(day)).daily).toMatchObject({ micros: 10_000_000, overridden: false });
  });

  it("after the budget is raised, crossing the new budget's lines alerts again", async () => {
    const day = isolatedDay();
    await setBudgetOverride("monthly", 1_000_000_000, "admin-id", day);
    await spendOn(day, 10_000_000);
    expect((await recordBudgetAlerts(day, 10_000_000)).map((alert) => alert.thresholdPercent)).toEqual([50, 80, 100]);
    // The admin doubles today's budget: the same spend is half of it, and the new 50 % line alerts.
    await setBudgetOverride("daily", 20_000_000, "admin-id", day);
    expect((await recordBudgetAlerts(day, 10_000_000)).map((alert) => `${alert.thresholdPercent}:${alert.period}`)).toEqual(["50:daily"]);
    expect(received.map((alert) => `${alert.thresholdPercent}/${alert.budgetMicros}`)).toEqual([
      "50/10000000",
      "80/10000000",
      "100/10000000",
      "50/20000000",
    ]);
    // And spend reaching 80 % of the new budget alerts once more, once.
    await spendOn(day, 16_000_000);
    expect((await recordBudgetAlerts(day, 16_000_000)).map((alert) => alert.thresholdPercent)).toEqual([80]);
    expect(await recordBudgetAlerts(day, 16_000_000)).toEqual([]);
  });

  it("is delivered once when the cron, the console's retry and a fresh request try at the same moment", async () => {
    const day = isolatedDay();
    await setBudgetOverride("monthly", 1_000_000_000, "admin-id", day);
    await spendOn(day, 5_000_000);
    receiver.failuresLeft = 3; // the first delivery fails: the alert waits for a retry
    await recordBudgetAlerts(day, 5_000_000);
    expect(received).toEqual([]);
    const db = await getDb();
    const [failed] = await db
      .select()
      .from(budgetAlerts)
      .where(and(eq(budgetAlerts.period, "daily"), eq(budgetAlerts.day, day), eq(budgetAlerts.thresholdPercent, 50)));
    expect(failed).toMatchObject({ deliveredAt: null, deliveryClaimedUntil: null });
    // Retries from everywhere at once: the console's button twice, and the alert found again by
    // another request's settle.
    const results = await Promise.all([
      deliverBudgetAlert(failed!, 1),
      deliverBudgetAlert(failed!, 1),
      deliverBudgetAlert(failed!, 3),
      recordBudgetAlerts(day, 5_000_000),
    ]);
    expect(received.map((alert) => alert.thresholdPercent)).toEqual([50]);
    expect(results.slice(0, 3).filter(Boolean)).toHaveLength(1);
    // Delivered: nothing sends it again.
    expect(await deliverBudgetAlert(failed!, 1)).toBe(false);
    expect(received).toHaveLength(1);
  });

  it("is checked by the housekeeping job for spend applied without a settle (the outbox, the sweeper)", async () => {
    const day = isolatedDay();
    await setBudgetOverride("monthly", 1_000_000_000, "admin-id", day);
    await spendOn(day, 8_500_000); // as the outbox or the sweeper adds it: no settle, no alert yet
    expect(received).toEqual([]);
    expect(await checkBudgetAlerts(day)).toBe(2);
    expect(received.map((alert) => alert.thresholdPercent)).toEqual([50, 80]);
    expect(await checkBudgetAlerts(day)).toBe(0);
  });
});

describe("feedback", () => {
  it("takes a vote only on the voter's own answer, replaces a second vote, and shows in the rates and the down-voted list", async () => {
    const [owner, stranger] = [await newUser(), await newUser()];
    const served = randomUUID();
    const refused = randomUUID();
    await recordAudit({
      requestId: served,
      userId: owner.id,
      action: "summarize",
      outcome: "served",
      model: "gpt-4.1-nano",
      outputTokens: 12,
      promptText: "the prompt",
      responseText: "the answer",
    });
    await recordAudit({ requestId: refused, userId: owner.id, action: "summarize", outcome: "rate_limited" });
    const adminRow = randomUUID();
    await recordAudit({ requestId: adminRow, userId: owner.id, action: "admin.set_plan", outcome: "ok" });

    expect(await saveFeedback({ requestId: served, userId: stranger.id, rating: -1, note: "not mine" })).toBe(false);
    expect(await saveFeedback({ requestId: refused, userId: owner.id, rating: -1, note: null })).toBe(false);
    expect(await saveFeedback({ requestId: adminRow, userId: owner.id, rating: -1, note: null })).toBe(false);
    expect(await saveFeedback({ requestId: randomUUID(), userId: owner.id, rating: 1, note: null })).toBe(false);
    expect(await saveFeedback({ requestId: served, userId: owner.id, rating: 1, note: null })).toBe(true);
    expect(await saveFeedback({ requestId: served, userId: owner.id, rating: -1, note: "Wrong title" })).toBe(true);
    // The stranger cannot overwrite it either.
    expect(await saveFeedback({ requestId: served, userId: stranger.id, rating: 1, note: null })).toBe(false);

    const db = await getDb();
    const { feedback } = await import("@/db/schema");
    expect(await db.select().from(feedback).where(eq(feedback.requestId, served))).toEqual([
      expect.objectContaining({ userId: owner.id, rating: -1, note: "Wrong title", action: "summarize", model: "gpt-4.1-nano" }),
    ]);
    const down = (await console_.downvotedAnswers(500)).find((answer) => answer.requestId === served);
    expect(down).toMatchObject({ note: "Wrong title", promptText: "the prompt", responseText: "the answer", email: owner.email });
    const rate = (await console_.feedbackRates(30)).find((row) => row.action === "summarize" && row.model === "gpt-4.1-nano");
    expect(rate!.down).toBeGreaterThanOrEqual(1);
  });
});

describe("audit text retention", () => {
  it("clears the prompt and response of rows older than the retention period and keeps the rows", async () => {
    const user = await newUser();
    const old = randomUUID();
    const recent = randomUUID();
    const now = new Date();
    await recordAudit({
      requestId: old,
      userId: user.id,
      action: "chat",
      outcome: "served",
      costMicros: 42,
      promptText: "old prompt",
      responseText: "old answer",
      createdAt: new Date(now.getTime() - 31 * 86_400_000),
    });
    await recordAudit({
      requestId: recent,
      userId: user.id,
      action: "chat",
      outcome: "served",
      promptText: "new prompt",
      responseText: "new answer",
      createdAt: new Date(now.getTime() - 29 * 86_400_000),
    });
    // The housekeeping cron runs it (behind CRON_SECRET).
    const { GET } = await import("@/app/api/cron/housekeeping/route");
    const refused = await GET(new Request("http://localhost/api/cron/housekeeping", { headers: { authorization: "Bearer wrong" } }));
    expect(refused.status).toBe(401);
    expect((await getDb().then((db) => db.select().from(auditLog).where(eq(auditLog.requestId, old))))[0]!.promptText).toBe("old prompt");
    const response = await GET(
      new Request("http://localhost/api/cron/housekeeping", { headers: { authorization: "Bearer console-test-cron-secret-0123456789" } }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { clearedAuditTexts: number }).clearedAuditTexts).toBeGreaterThanOrEqual(1);
    const db = await getDb();
    const [oldRow] = await db.select().from(auditLog).where(eq(auditLog.requestId, old));
    const [recentRow] = await db.select().from(auditLog).where(eq(auditLog.requestId, recent));
    expect(oldRow).toMatchObject({ promptText: null, responseText: null, costMicros: 42, outcome: "served" });
    expect(recentRow).toMatchObject({ promptText: "new prompt", responseText: "new answer" });
    expect(await clearExpiredAuditText(30, now)).toBe(0); // nothing left to clear
  });
});

describe("the budgets in the reservation", () => {
  it("enforce the month (earlier days + today) and an admin's budget for the day, atomically; admins are exempt", async () => {
    const day = isolatedDay(); // the 10th-27th of its month
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${day}T12:00:00Z`));
    try {
      const db = await getDb();
      const earlier = `${day.slice(0, 8)}0${Number(day.slice(8)) % 9 || 1}`; // an earlier day of the month
      await db.insert(budgetDaily).values({ day: earlier, costMicros: 900 });
      await setBudgetOverride("monthly", 1_000, "admin-id", day);
      const user = await newUser();
      const reserve = (costMicros: number, budgetExempt = false) =>
        reserveUsage({
          requestId: randomUUID(),
          userId: user.id,
          action: "chat",
          model: "gpt-4.1-nano",
          plan: PLANS.pro,
          tokens: 10,
          costMicros,
          budgetMicros: null,
          monthlyBudgetMicros: 50_000_000,
          budgetExempt,
        });

      // 100 left in the month: of 20 parallel requests at 10 each, exactly 10 fit.
      const results = await Promise.all(Array.from({ length: 20 }, () => reserve(10)));
      expect(results.filter((result) => !("refused" in result))).toHaveLength(10);
      expect(results.filter((result) => "refused" in result)).toEqual(
        Array.from({ length: 10 }, () => ({ refused: "budget", period: "monthly" })),
      );
      expect("refused" in (await reserve(10, true))).toBe(false); // an admin

      // The day's own budget, set by an admin, applies on top (the month now has room).
      await setBudgetOverride("monthly", null, "admin-id", day);
      await setBudgetOverride("daily", 140, "admin-id", day);
      expect(await reserve(40)).toEqual({ refused: "budget", period: "daily" }); // 110 reserved today + 40 > 140
      expect("refused" in (await reserve(40))).toBe(true);
      expect("refused" in (await reserve(30))).toBe(false);
      const [today] = await db.select().from(budgetDaily).where(eq(budgetDaily.day, day));
      expect(today!.reservedMicros).toBe(140);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the abuse view", () => {
  it("ranks users and hashed IPs by script-like refusals in the window, and counts sign-ups per hashed IP", async () => {
    const [noisy, quiet] = [await newUser(), await newUser()];
    const ip = `ip-${randomUUID()}`;
    const now = Date.now();
    const refusal = (userId: string, outcome: string, minutesAgo: number, ipHash = ip) =>
      recordAudit({ requestId: randomUUID(), userId, action: "chat", outcome, ipHash, createdAt: new Date(now - minutesAgo * 60_000) });
    for (const outcome of ["rate_limited", "rate_limited", "rate_limited", "replayed_request", "moderated"])
      await refusal(noisy.id, outcome, 5);
    await refusal(noisy.id, "rate_limited", 180); // outside the last hour, inside the day
    await refusal(quiet.id, "invalid_request_token", 10);
    await refusal(quiet.id, "quota_exceeded", 10); // a plan limit, not abuse
    await refusal(quiet.id, "served", 10);

    const lastHour = await console_.refusalLeaders("user", 1, { limit: 1000 });
    expect(lastHour.find((row) => row.key === noisy.id)).toMatchObject({
      email: noisy.email,
      refusals: 5,
      byOutcome: { rate_limited: 3, replayed_request: 1, moderated: 1 },
    });
    expect(lastHour.find((row) => row.key === quiet.id)).toMatchObject({ refusals: 1, byOutcome: { invalid_request_token: 1 } });
    expect((await console_.refusalLeaders("user", 24, { limit: 1000 })).find((row) => row.key === noisy.id)!.refusals).toBe(6);
    expect((await console_.refusalLeaders("ip", 1, { limit: 1000 })).find((row) => row.key === ip)).toMatchObject({
      refusals: 6,
      users: 2,
    });

    // Sorted on the server: by refusals (noisy first), by the latest refusal (a third user who
    // refused a minute ago first), by accounts per IP.
    const recent = await newUser();
    await refusal(recent.id, "rate_limited", 1, `ip-${randomUUID()}`);
    const order = (rows: Array<{ key: string }>, keys: string[]) => rows.map((row) => row.key).filter((key) => keys.includes(key));
    const ours = [noisy.id, quiet.id, recent.id];
    // quiet and recent tie at one refusal: the later one first.
    expect(order(await console_.refusalLeaders("user", 1, { limit: 1000 }), ours)).toEqual([noisy.id, recent.id, quiet.id]);
    expect(order(await console_.refusalLeaders("user", 1, { limit: 1000, sort: "latest" }), ours)).toEqual([recent.id, noisy.id, quiet.id]);
    const busyIp = `ip-${randomUUID()}`;
    for (let index = 0; index < 9; index++) await refusal(quiet.id, "rate_limited", 2, busyIp);
    expect(order(await console_.refusalLeaders("ip", 1, { limit: 1000 }), [ip, busyIp])).toEqual([busyIp, ip]);
    expect(order(await console_.refusalLeaders("ip", 1, { limit: 1000, sort: "accounts" }), [ip, busyIp])).toEqual([ip, busyIp]);

    const signupIp = `ip-${randomUUID()}`;
    for (let index = 0; index < 3; index++) {
      await insertPasswordUser({
        email: `script-${randomUUID()}@example.com`,
        name: null,
        passwordHash: "x",
        role: "user",
        signupIpHash: signupIp,
      });
    }
    expect((await console_.accountsPerIp(30, 1000)).find((row) => row.ipHash === signupIp)).toMatchObject({ accounts: 3, blocked: 0 });
  });
});

describe("one user's page", () => {
  it("reads only that user's days, newest requests and votes", async () => {
    const [user, other] = [await newUser(), await newUser()];
    const today = new Date().toISOString().slice(0, 10);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await recordAudit({ requestId: ids[0]!, userId: user.id, action: "chat", outcome: "served", model: "gpt-4.1-nano", costMicros: 12 });
    await recordAudit({ requestId: ids[1]!, userId: user.id, action: "chat", outcome: "rate_limited" });
    await recordAudit({ requestId: ids[2]!, userId: other.id, action: "chat", outcome: "served", model: "gpt-4.1-nano", costMicros: 40 });
    expect(await saveFeedback({ requestId: ids[0]!, userId: user.id, rating: -1, note: "Too short" })).toBe(true);
    const db = await getDb();
    await db.execute(sql`insert into usage_daily (user_id, day, requests, tokens_used, cost_micros)
      values (${user.id}, ${today}::date, 2, 300, 12), (${user.id}, ${today}::date - 40, 9, 900, 99), (${other.id}, ${today}::date, 1, 10, 40)`);

    expect(await console_.getConsoleUser(user.id)).toMatchObject({ id: user.id, email: user.email, blockedAt: null, subscription: null });
    expect(await console_.getConsoleUser(randomUUID())).toBeNull();
    // 30 days: the row 40 days back and the other user's row are not in it.
    expect(await console_.userDailyUsage(user.id)).toEqual([{ day: today, requests: 2, tokens: 300, costMicros: 12 }]);
    const recent = await console_.userRecentRequests(user.id);
    expect(recent.map((row) => [row.requestId, row.outcome, row.costMicros])).toEqual([
      [ids[1], "rate_limited", 0],
      [ids[0], "served", 12],
    ]);
    expect((await console_.userFeedback(user.id)).map((vote) => [vote.requestId, vote.rating, vote.note, vote.auditId])).toEqual([
      [ids[0], -1, "Too short", recent[1]!.id],
    ]);
    expect(await console_.userFeedback(other.id)).toEqual([]);
  });
});

describe("the console's money formatter", () => {
  it("keeps every micro-dollar below a cent, four digits below a dollar, two above; the exact figure is always six", async () => {
    const { usd, usdExact } = await import("@/components/admin/format");
    expect([0, 12, 4_200, 12_345, 999_999, 1_000_000, 1_234_567_890, -12].map(usd)).toEqual([
      "$0.00",
      "$0.000012",
      "$0.0042",
      "$0.0123",
      "$1.00",
      "$1.00",
      "$1,234.57",
      "-$0.000012",
    ]);
    expect(usd(null)).toBe("—");
    expect(usdExact(1_234_567_890)).toBe("$1,234.567890");
    expect(usdExact(12)).toBe("$0.000012");
  });
});

describe("the users list", () => {
  it("sorts by email or newest first, server-side, in pages that neither skip nor repeat", async () => {
    const tag = randomUUID().slice(0, 8);
    for (const name of ["carol", "alice", "bob"]) {
      await newUser({ email: `${name}-${tag}@example.com` });
    }
    const emails = async (sort: "newest" | "email", page: number) => {
      const { users, hasMore } = await console_.listConsoleUsers({ search: tag, sort, page, pageSize: 2 });
      return { emails: users.map((user) => user.email!.split("-")[0]), hasMore };
    };
    expect(await emails("email", 0)).toEqual({ emails: ["alice", "bob"], hasMore: true });
    expect(await emails("email", 1)).toEqual({ emails: ["carol"], hasMore: false });
    expect(await emails("newest", 0)).toEqual({ emails: ["bob", "alice"], hasMore: true });
    expect(await emails("newest", 1)).toEqual({ emails: ["carol"], hasMore: false });
  });
});
