import postgres from "postgres";
import { BASE_DATABASE_URL } from "../support/sentinels";
import { databaseUrlFor } from "../support/test-database";

export function e2eDatabaseName(): string {
  const name = process.env.E2E_DATABASE_NAME;
  if (!name) throw new Error("E2E_DATABASE_NAME is not set (playwright.config.ts sets it)");
  return name;
}

/** A direct connection to the database the server under test uses, for setup and assertions. */
export function e2eSql() {
  return postgres(databaseUrlFor(BASE_DATABASE_URL, e2eDatabaseName()), { max: 2, prepare: false, onnotice: () => {} });
}

/** The fake OpenAI server next start talks to (tests/fakes/openai-server.ts): the port after the app's. */
export function fakeOpenAIPort(): number {
  return Number(process.env.E2E_PORT ?? "3100") + 1;
}

/** With E2E_REDIS=upstash, the Upstash REST front (tests/fakes/upstash-rest-server.ts) the app talks to. */
export function upstashRestPort(): number {
  return Number(process.env.E2E_PORT ?? "3100") + 6;
}

/** The fake GitHub (tests/fakes/github-server.ts) the app's GitHub sign-in talks to. */
export function fakeGitHubUrl(): string {
  return `http://127.0.0.1:${Number(process.env.E2E_PORT ?? "3100") + 10}`;
}
