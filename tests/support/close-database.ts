import type { Db } from "@/db";

/** Lets a test file's pool or PGlite go in afterAll, so the worker exits cleanly. */
export async function closeDatabase(db: Db): Promise<void> {
  const client = (db as unknown as { $client: { end?: () => Promise<void>; close?: () => Promise<void> } }).$client;
  await (client.end?.() ?? client.close?.());
}
