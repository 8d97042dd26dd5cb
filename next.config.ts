import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Inlined at build time (lib/env.ts, isTestBuild): "1" only in a build made by npm run build:e2e,
  // so no variable set on a deployed server can turn on what only tests may use.
  env: { BUILT_FOR_TESTS: process.env.BUILT_FOR_TESTS === "1" ? "1" : "0" },
  // Native or WASM packages stay plain Node requires instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "@node-rs/argon2", "ioredis", "ioredis-mock"],
  // The migrations are read at run time (the embedded database applies them on first use).
  outputFileTracingIncludes: { "/**": ["./db/migrations/**/*"] },
};

export default nextConfig;
