import type { TestProject } from "vitest/node";
import { createRunDatabase, runDatabaseName } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string | undefined;
    redisKeyPrefix: string;
  }
}

// With DATABASE_URL (CI's second pass) the run gets a fresh database of its own; without it
// every test file opens an in-memory PGlite. Redis keys get a per-run prefix either way.
export default async function setup(project: TestProject) {
  project.provide("redisKeyPrefix", `test${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    project.provide("databaseUrl", undefined);
    return;
  }
  const database = await createRunDatabase(baseUrl, runDatabaseName("vitest"));
  project.provide("databaseUrl", database.url);
  return database.drop;
}
