// Applies db/migrations to DATABASE_URL (`npm run db:migrate`). Run it before starting a new
// release in production; the embedded PGlite database migrates itself.
import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";

export async function migrateDatabase(url: string): Promise<void> {
  const client = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), "db", "migrations") });
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set: nothing to migrate (the embedded database migrates itself).");
    process.exit(1);
  }
  await migrateDatabase(url);
  console.log("Migrations applied.");
}
