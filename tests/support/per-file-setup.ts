import { inject } from "vitest";

// Runs before each test file imports the app, so lib/env.ts parses these values.
const databaseUrl = inject("databaseUrl");
if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
else process.env.PGLITE_DIR = "memory://";
process.env.REDIS_KEY_PREFIX = inject("redisKeyPrefix");
process.env.TRUSTED_PROXY ??= "1"; // tests stand in for the one proxy that sets X-Forwarded-For
