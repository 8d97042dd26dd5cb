import { expect, test, type Browser, type Page } from "@playwright/test";
import postgres from "postgres";
import { usd } from "../../components/admin/format";
import { parseNdjson } from "../../lib/http/ndjson";
import { startWebhookReceiver } from "../fakes/webhook-receiver";
import { expectRefused, mintToken, newTag, postChat } from "../security/support";
import { BASE_DATABASE_URL, E2E_ADMIN_EMAILS, productionServerEnv } from "../support/sentinels";
import { startNextServer, type NextServer } from "../support/next-server";
import { createRunDatabase, runDatabaseName } from "../support/test-database";
import { e2eSql, fakeOpenAIPort } from "./database";
import { newCredentials, screenshot, signUp } from "./helpers";
import { actionId, postAction } from "./server-actions";

// The operator console (/admin): closed to everyone but admins, over HTTP; and, on a server
// with a database of its own (so no other test's rows count), an admin sees exactly the
// figures of a scripted run, finds one user's rows, opens one, and blocks that user.

const CONSOLE_PAGES = [
  "/admin",
  "/admin/audit",
  "/admin/audit/1",
  "/admin/users",
  "/admin/users/00000000-0000-4000-8000-000000000000",
  "/admin/budgets",
  "/admin/abuse",
  "/admin/feedback",
  "/admin/audit/export",
  "/admin/users/export",
  "/admin/abuse/export",
  "/admin/feedback/export",
];
const ADMIN_ACTIONS: Array<[string, Record<string, string>]> = [
  ["setUserPlanAction", { plan: "pro" }],
  ["setUserBlockedAction", { blocked: "true", reason: "posted by a non-admin" }],
  ["revokeUserSessionsAction", {}],
  ["setBudgetAction", { period: "daily", usd: "0.01" }],
  ["retryBudgetAlertAction", { period: "daily", day: "2026-01-01", thresholdPercent: "50", budgetMicros: "10000000" }],
];

test("a non-admin gets a 404 for every console page and the CSV export, and every admin action refuses and is audited", async ({
  page,
  playwright,
  baseURL,
}) => {
  const { email } = await signUp(page);
  const sql = e2eSql();
  try {
    const [me] = await sql<{ id: string }[]>`select id from users where email = ${email}`;
    const [target] = await sql<
      { id: string; session_version: number }[]
    >`insert into users (id, email) values (gen_random_uuid()::text, ${`target-${newTag()}@example.com`}) returning id, session_version`;
    for (const path of CONSOLE_PAGES) expect((await page.request.get(path, { maxRedirects: 0 })).status(), path).toBe(404);
    // Posted where the console's forms post them (the user page for its own actions), without the UI.
    for (const [name, fields] of ADMIN_ACTIONS) {
      const response = await postAction(page.request, `/admin/users/${target!.id}`, actionId(name), { userId: target!.id, ...fields });
      expect(await response.text(), name).toContain('"code":"forbidden"');
    }
    // With no fields at all: still "forbidden", never the action's field errors.
    for (const [name] of ADMIN_ACTIONS) {
      const text = await (await postAction(page.request, `/admin/users/${target!.id}`, actionId(name), {})).text();
      expect(text, name).toContain('"code":"forbidden"');
      expect(text, name).not.toContain("fieldErrors");
    }
    // Nothing changed, and each refusal left its own audit row under the caller's id.
    expect(await sql`select 1 from subscriptions where user_id = ${target!.id}`).toHaveLength(0);
    expect((await sql`select blocked_at, session_version from users where id = ${target!.id}`)[0]).toEqual({
      blocked_at: null,
      session_version: target!.session_version,
    });
    expect(await sql`select 1 from budget_overrides`).toHaveLength(0);
    await expect
      .poll(async () =>
        (
          await sql<
            { action: string; outcome: string }[]
          >`select action, outcome from audit_log where user_id = ${me!.id} and action like 'admin.%' order by action`
        ).map((row) => `${row.action}:${row.outcome}`),
      )
      .toEqual(
        [
          "admin.retry_budget_alert:forbidden",
          "admin.revoke_sessions:forbidden",
          "admin.set_blocked:forbidden",
          "admin.set_budget:forbidden",
          "admin.set_plan:forbidden",
        ].flatMap((row) => [row, row]),
      );

    // Logged out: every page and the export send to the login page.
    const anonymous = await playwright.request.newContext({ baseURL });
    for (const path of ["/admin/audit", "/admin/audit/export", "/admin/users/export", "/admin/abuse/export", "/admin/feedback/export"]) {
      const redirected = await anonymous.get(path, { maxRedirects: 0 });
      expect(redirected.status(), path).toBe(307);
      expect(redirected.headers().location).toContain("/login");
    }
    await anonymous.dispose();
  } finally {
    await sql.end();
  }
});

test.describe("on a server of its own", () => {
  // Clear of the ports the other browser tests take (+1 … +8, +50).
  const port = Number(process.env.E2E_PORT ?? 3100) + 20;
  const baseURL = `http://localhost:${port}`;
  let server: NextServer | undefined;
  let database: Awaited<ReturnType<typeof createRunDatabase>>;
  let sql: ReturnType<typeof postgres>;
  // A Slack-style webhook receiver that counts what it gets; it can be told to fail.
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  test.use({ baseURL });

  test.beforeAll(async () => {
    webhook = await startWebhookReceiver(port + 1);
    database = await createRunDatabase(BASE_DATABASE_URL, runDatabaseName("e2e_console"));
    sql = postgres(database.url, { max: 2, onnotice: () => {} });
    server = await startNextServer(port, {
      ...process.env,
      ...productionServerEnv(database.url),
      REDIS_KEY_PREFIX: `e2econsole${Date.now().toString(36)}`,
      OPENAI_BASE_URL: `http://127.0.0.1:${fakeOpenAIPort()}/v1`,
      OPENAI_TIMEOUT_MS: "2000",
      AUDIT_STORE_TEXT: "on",
      DAILY_BUDGET_USD: "50",
      BUDGET_ALERT_WEBHOOK_URL: webhook.url,
      MONTHLY_BUDGET_USD: "1000",
    });
  });

  test.afterAll(async () => {
    await server?.stop();
    await webhook?.close();
    await sql?.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await database?.drop().catch(() => {});
  });

  /** A verified user of this server's database; with an address of ADMIN_EMAILS, an admin. */
  async function newSignedUpPage(browser: Browser, email = newCredentials().email): Promise<{ page: Page; id: string; email: string }> {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await signUp(page, { email, password: "a long enough password" }, { verified: false });
    const [row] = await sql<{ id: string }[]>`update users set email_verified = now() where email = ${email} returning id`;
    return { page, id: row!.id, email };
  }

  test("an admin sees the figures of a scripted run, finds the user's rows, opens one, and blocks the user, whose next request is refused", async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const tag = newTag();
    const user = await newSignedUpPage(browser);
    const api = user.page.request;
    const origin = { origin: baseURL };
    const chat = (message: string, token = mintToken(user.id)) => postChat(api, { message, token }, origin);
    const summarize = (text: string) =>
      postAction(api, "/tools/summarize", actionId("summarizeAction"), { text, token: mintToken(user.id) });

    // The scripted run: 4 served (3 chats, 1 summary), 1 cached, 2 invalid input, 1 rate limited.
    const first = await chat(`First question [[tag:${tag}]]`);
    expect(first.status()).toBe(200);
    const firstRequestId = parseNdjson<{ requestId: string }>(await first.text())[0]!.requestId;
    const reused = mintToken(user.id);
    expect((await chat(`Second question [[tag:${tag}]]`, reused)).status()).toBe(200);
    const text = `A paragraph to summarize about the console [[tag:${tag}]]. It has two sentences.`;
    expect((await summarize(text)).status()).toBe(200);
    expect((await summarize(text)).status()).toBe(200); // the same text again: from the cache
    expect((await chat(`Third question [[tag:${tag}]]`)).status()).toBe(200);
    // Refusals judged before the rate limit (replay, length) still count toward the minute's limit
    // (they reached the stores), so the fifth request above was the last one the minute allows.
    await expectRefused(await chat(`Replayed [[tag:${tag}]]`, reused), 409, "replayed_request");
    await expectRefused(await chat("z".repeat(2_001)), 413, "message_too_long");
    await expectRefused(await chat(`One too many this minute [[tag:${tag}]]`), 429, "rate_limited"); // Free: 5 a minute

    await expect.poll(async () => Number((await sql`select count(*) from audit_log where user_id = ${user.id}`)[0]!.count)).toBe(8);
    const outcomes = await sql<
      { outcome: string; cache_hit: boolean }[]
    >`select outcome, cache_hit from audit_log where user_id = ${user.id}`;
    expect(outcomes.filter((row) => row.outcome === "served" && row.cache_hit)).toHaveLength(1);
    const spent = Number((await sql<{ spent: string }[]>`select sum(cost_micros) as spent from audit_log`)[0]!.spent);
    const budgeted = Number((await sql<{ budgeted: string }[]>`select cost_micros as budgeted from budget_daily`)[0]!.budgeted);
    expect(spent).toBeGreaterThan(0);
    expect(budgeted).toBe(spent);

    // The user down-votes the first reply; nobody else can vote on it.
    const vote = (request: typeof api, fields: Record<string, string>) =>
      postAction(request, "/chat", actionId("sendFeedbackAction"), fields);
    expect(await (await vote(api, { requestId: firstRequestId, rating: "down", note: "It ignored my question" })).text()).toContain(
      '"ok":true',
    );
    const admin = await newSignedUpPage(browser, E2E_ADMIN_EMAILS[0]);
    expect(await (await vote(admin.page.request, { requestId: firstRequestId, rating: "up" })).text()).toContain('"code":"not_found"');
    expect((await sql`select user_id, rating, note from feedback`).map((r) => [r.user_id, r.rating, r.note])).toEqual([
      [user.id, -1, "It ignored my question"],
    ]);
    const page = admin.page;
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Console" })).toBeVisible();
    const figure = (name: string) => page.getByTestId(`outcome-${name}`);
    await expect(figure("served")).toHaveText("4");
    await expect(figure("cached")).toHaveText("1");
    await expect(figure("invalid-input")).toHaveText("2");
    await expect(figure("rate-limited")).toHaveText("1");
    await expect(figure("over-quota")).toHaveText("0");
    await expect(figure("total")).toHaveText("8");
    await expect(page.getByTestId("cache-hit-rate")).toHaveText("20.0%");
    await expect(page.getByTestId("spend-30d")).toHaveText(usd(spent));
    await expect(page.getByTestId("budget-today").getByTestId("budget-spent")).toHaveText(usd(spent));
    await expect(page.locator(".recharts-surface").first()).toBeVisible(); // the chart loaded
    // The chart draws in the theme's tokens in both themes (not recharts' own greys and series
    // colours), is named for screen readers, and its figures are in a table too.
    for (const theme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));
      const { colours, bars } = await page.evaluate(() => {
        const token = (name: string) => {
          const probe = document.createElement("span");
          probe.style.color = `var(${name})`;
          document.body.append(probe);
          const value = getComputedStyle(probe).color;
          probe.remove();
          return value;
        };
        const style = (selector: string) => {
          const element = document.querySelector(selector);
          return element ? getComputedStyle(element) : null;
        };
        // Every bar in one of the theme's six series colours (which model gets which follows the data).
        const series = [1, 2, 3, 4, 5, 6].map((n) => token(`--chart-${n}`));
        const fills = [...document.querySelectorAll(".recharts-bar-rectangle path")].map((path) => getComputedStyle(path).fill);
        return {
          bars: { count: fills.length, outside: fills.filter((fill) => !series.includes(fill)) },
          colours: {
            legend: [style(".recharts-legend-item-text span")?.color, token("--foreground")],
            tick: [style(".recharts-cartesian-axis-tick-value")?.fill, token("--muted-foreground")],
            grid: [style(".recharts-cartesian-grid-horizontal line")?.stroke, token("--border")],
          },
        };
      });
      for (const [part, [drawn, expected]] of Object.entries(colours)) expect(drawn, `${part} in ${theme}`).toBe(expected);
      expect(bars.count, `bars in ${theme}`).toBeGreaterThan(0);
      expect(bars.outside, `bar colours outside the theme's series in ${theme}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
    await expect(page.getByRole("img", { name: /^Spend per day, stacked by model/ })).toBeVisible();
    const figures = page.getByTestId("chart-table").first();
    await figures.getByText("Show the figures as a table").click();
    await expect(figures.getByRole("row")).toHaveCount(
      1 + (await sql`select distinct model from audit_log where position('.' in action) = 0`).length,
    );
    await screenshot(page, "admin-overview");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Feedback" }).click();
    await expect(page.getByTestId("downvoted-answer")).toHaveCount(1);
    await expect(page.getByTestId("downvoted-answer")).toContainText("It ignored my question");
    await expect(page.getByTestId("downvoted-answer")).toContainText(`First question [[tag:${tag}]]`);

    // The audit log, filtered to the user; one row opened.
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByLabel("User email").fill(user.email);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/email=/);
    await expect(page.getByTestId("audit-row")).toHaveCount(8);
    await expect(page.getByTestId("audit-outcome").first()).toHaveText("rate_limited"); // newest first
    const csv = await page.request.get(`/admin/audit/export?email=${encodeURIComponent(user.email)}`);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines).toHaveLength(9);
    expect(lines[1]).toContain("rate_limited");
    await screenshot(page, "admin-audit");

    const [servedRow] = await sql<
      { id: string; request_id: string }[]
    >`select id, request_id from audit_log where user_id = ${user.id} and outcome = 'served' and action = 'chat' order by id limit 1`;
    await page.locator(`[data-request-id="${servedRow!.request_id}"]`).getByRole("link").first().click();
    await expect(page.getByTestId("audit-request-id")).toHaveText(servedRow!.request_id);
    await expect(page.getByTestId("audit-detail-outcome")).toHaveText("served");
    await expect(page.getByTestId("audit-timings")).toContainText("guard_total");
    await expect(page.getByTestId("audit-prompt")).toHaveText(`First question [[tag:${tag}]]`);
    await expect(page.getByTestId("audit-response")).not.toBeEmpty();
    await screenshot(page, "admin-audit-row");

    // The user's page, from the audit row: plan, 30-day spend, recent requests with their
    // outcome, the vote they gave. Blocking needs a reason, which the audit row keeps; the
    // user's next request is refused at the session step.
    await page.getByRole("link", { name: user.email }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/users/${user.id}$`));
    await expect(page.getByRole("heading", { level: 1, name: user.email })).toBeVisible();
    await expect(page.getByTestId("user-plan")).toHaveText("Free");
    await expect(page.getByTestId("user-cost-30d")).toHaveText(usd(spent));
    const newest = await sql<
      { outcome: string }[]
    >`select outcome from audit_log where user_id = ${user.id} order by created_at desc, id desc limit 20`;
    await expect(page.getByTestId("user-requests").getByRole("row")).toHaveCount(newest.length + 1); // and the header row
    await expect(page.getByTestId("user-requests").getByRole("row").nth(1)).toContainText(newest[0]!.outcome);
    await expect(page.getByTestId("user-feedback")).toContainText("It ignored my question");
    await screenshot(page, "admin-user");
    const noReason = await postAction(page.request, `/admin/users/${user.id}`, actionId("setUserBlockedAction"), {
      userId: user.id,
      blocked: "true",
      reason: " ",
    });
    expect(await noReason.text()).toContain('"code":"invalid_input"');
    expect((await sql`select blocked_at from users where id = ${user.id}`)[0]!.blocked_at).toBeNull();
    const block = page.getByTestId("block-user");
    await block.getByLabel(/Reason for blocking/).fill("Scripted refusals from the abuse view");
    await block.getByRole("button", { name: "Block" }).click();
    await expect(page.getByTestId("user-status")).toContainText("blocked");
    await expect(page.getByTestId("block-user").getByRole("button", { name: "Unblock" })).toBeVisible();
    await expectRefused(await chat(`After the block [[tag:${tag}]]`), 403, "account_blocked");
    await expect
      .poll(async () =>
        (await sql`select details from audit_log where action = 'admin.set_blocked' and user_id = ${admin.id} and outcome = 'ok'`).map(
          (r) => [r.details.targetUserId, r.details.before.blocked, r.details.after.blocked, r.details.input.reason],
        ),
      )
      .toEqual([[user.id, false, true, "Scripted refusals from the abuse view"]]);
    const versionBefore = (await sql`select session_version from users where id = ${user.id}`)[0]!.session_version as number;
    await page.getByTestId("revoke-sessions").getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page.getByTestId("revoke-sessions").getByRole("status")).toHaveText("Signed out.");
    expect((await sql`select session_version from users where id = ${user.id}`)[0]!.session_version).toBe(versionBefore + 1);
    await page.goto("/admin/users");
    await expect(page.locator(`[data-testid="admin-user-row"][data-email="${user.email}"]`).getByTestId("admin-user-status")).toHaveText(
      "blocked",
    );
    await screenshot(page, "admin-users");

    // Every console page on a phone, in dark mode: nothing of the console spills sideways (wide
    // tables scroll inside their own box). The site header is the app shell's.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    const consolePages = ["/admin", "/admin/audit", `/admin/audit/${servedRow!.id}`, "/admin/users", `/admin/users/${user.id}`];
    for (const path of [...consolePages, "/admin/budgets", "/admin/abuse", "/admin/feedback"]) {
      await page.goto(path);
      const overflow = await page.evaluate(() => {
        const outside = [...document.querySelectorAll("main *")].filter(
          (element) => !element.parentElement?.closest('[data-slot="table-container"], [role="img"], nav[aria-label="Console"]'),
        );
        return Math.max(...outside.map((element) => element.getBoundingClientRect().right)) - document.documentElement.clientWidth;
      });
      expect(overflow, path).toBeLessThanOrEqual(0);
      await screenshot(page, `admin-phone-dark${path.replace(/\//g, "-").slice(0, 40)}`);
    }
  });

  test("parallel requests crossing budget thresholds record and deliver each alert once; a failed delivery is retried from the console", async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    // The spenders are admins on the Pro plan: exempt from the budget (so every request is
    // served whatever it costs) and allowed 30 requests a minute; their spend still counts.
    const spenders = await Promise.all([1, 2].map((n) => newSignedUpPage(browser, E2E_ADMIN_EMAILS[n])));
    for (const spender of spenders) await sql`insert into subscriptions (user_id, plan) values (${spender.id}, 'pro')`;
    const admin = spenders[0]!;
    // Today's budget set from the console so that what has been spent so far is 45 % of it.
    const spentBefore =
      Number((await sql<{ cost: string }[]>`select coalesce(sum(cost_micros), 0) as cost from budget_daily`)[0]!.cost) || 1;
    const budgetUsd = Math.max(0.0001, Math.ceil((spentBefore / 0.45 / 1e6) * 1e6) / 1e6);
    const page = admin.page;
    await page.goto("/admin/budgets");
    await page.getByLabel("Today budget in USD").fill(String(budgetUsd));
    await page.getByTestId("set-daily-budget").getByRole("button", { name: "Set budget" }).click();
    await expect(page.getByTestId("set-daily-budget").getByRole("status")).toHaveText("Saved.");
    const budgetMicros = Math.round(budgetUsd * 1e6);

    webhook.received.length = 0;
    webhook.state.failuresLeft = 0;
    const tag = newTag();
    const calls = spenders.flatMap((user) =>
      Array.from({ length: 8 }, (_, index) =>
        postChat(user.page.request, { message: `Spend ${index} [[tag:${tag}]]`, token: mintToken(user.id) }, { origin: baseURL }),
      ),
    );
    expect((await Promise.all(calls)).map((response) => response.status())).toEqual(calls.map(() => 200));
    await expect
      .poll(async () =>
        Number(
          (await sql`select count(*) from audit_log where outcome = 'served' and user_id in ${sql(spenders.map((user) => user.id))}`)[0]!
            .count,
        ),
      )
      .toBe(16);
    await expect
      .poll(async () => Number((await sql`select reserved_micros from budget_daily`)[0]!.reserved_micros), { timeout: 15_000 })
      .toBe(0);

    const spent = Number((await sql<{ cost: string }[]>`select cost_micros as cost from budget_daily`)[0]!.cost);
    const crossed = [50, 80, 100].filter((percent) => spent * 100 >= budgetMicros * percent);
    expect(crossed).toContain(50); // the run did cross a threshold
    const recorded = async () =>
      (await sql<{ threshold_percent: number }[]>`select threshold_percent from budget_alerts where period = 'daily' order by 1`).map(
        (row) => row.threshold_percent,
      );
    await expect.poll(recorded).toEqual(crossed);
    await expect.poll(() => webhook.received.map((alert) => alert.thresholdPercent).sort((a, b) => a - b)).toEqual(crossed);
    expect(webhook.received.every((alert) => alert.period === "daily" && alert.text.startsWith("AI daily budget"))).toBe(true);

    // A delivery that fails every attempt is shown as failed; the console's retry delivers it.
    webhook.state.failuresLeft = 3;
    await sql`delete from budget_alerts where period = 'daily' and threshold_percent = 50`;
    webhook.received.length = 0;
    expect(
      (
        await postChat(admin.page.request, { message: `One more [[tag:${tag}]]`, token: mintToken(admin.id) }, { origin: baseURL })
      ).status(),
    ).toBe(200);
    await expect
      .poll(
        async () =>
          (await sql`select delivery_attempts, last_error from budget_alerts where period = 'daily' and threshold_percent = 50`).map(
            (r) => [r.delivery_attempts, r.last_error],
          ),
        { timeout: 20_000 },
      )
      .toEqual([[3, "HTTP 500"]]);
    expect(webhook.received).toEqual([]);
    await page.goto("/admin/budgets");
    const table = page.getByTestId("budget-alerts");
    await expect(table).toContainText("failed (3 attempts): HTTP 500");
    await table.getByRole("button", { name: "Retry" }).click();
    await expect(table).not.toContainText("failed (3 attempts)");
    expect(webhook.received.map((alert) => alert.thresholdPercent)).toEqual([50]);
    await expect
      .poll(async () =>
        (
          await sql`select outcome from audit_log where user_id = ${admin.id} and action in ('admin.set_budget', 'admin.retry_budget_alert') order by id`
        ).map((r) => r.outcome),
      )
      .toEqual(["ok", "ok"]);
    await screenshot(page, "admin-budgets");
  });
});
