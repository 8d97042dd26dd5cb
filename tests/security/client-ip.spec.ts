import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { AUTH_ATTEMPT_LIMITS } from "@/lib/plans";
import { e2eSql } from "../e2e/database";
import { actionId, postAction } from "../e2e/server-actions";
import { randomIp } from "./support";

// The server under test runs with TRUSTED_PROXY=1: one proxy appends the address it saw to
// X-Forwarded-For. A script that writes its own X-Real-IP, or its own entries to the left of
// the proxy's, still lands in the same per-IP bucket (each mode is unit-tested in
// tests/unit/small-rules.test.ts).

async function accountExists(email: string): Promise<boolean> {
  const sql = e2eSql();
  return (await sql`select 1 from users where email = ${email}`.finally(() => sql.end())).length === 1;
}

test("client-written X-Real-IP and X-Forwarded-For entries do not give a script a new per-IP sign-up budget", async ({
  playwright,
  baseURL,
}) => {
  const realAddress = randomIp(); // what the (pretend) proxy saw
  const signUp = actionId("signUpAction");
  const limit = AUTH_ATTEMPT_LIMITS.signup.perIp.attempts;
  const outcomes: string[] = [];
  const emails: string[] = [];
  for (let attempt = 0; attempt <= limit; attempt++) {
    const client = await playwright.request.newContext({ baseURL });
    const email = `ip-${randomUUID()}@example.com`;
    emails.push(email);
    const response = await postAction(
      client,
      "/signup",
      signUp,
      { email, password: "a long enough password" },
      {
        "x-real-ip": randomIp(),
        "cf-connecting-ip": randomIp(),
        "x-forwarded-for": `${randomIp()}, ${randomIp()}, ${realAddress}`,
      },
    );
    const body = await response.text();
    // Created means a users row exists (changed: this used to count any answer that mentioned
    // "/chat" as an account).
    const created = await accountExists(email);
    outcomes.push(
      body.includes('"code":"rate_limited"') && !created ? "limited" : created ? "created" : `${response.status()} ${body.slice(0, 120)}`,
    );
    await client.dispose();
  }
  expect(outcomes).toEqual([...Array(limit).fill("created"), "limited"]);
  const sql = e2eSql();
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from users where email in ${sql(emails)}`.finally(() =>
    sql.end(),
  );
  expect(row!.count).toBe(limit);
});
