import "server-only";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

// Development without configuration still needs a stable AUTH_SECRET, or every restart would
// log everyone out. Generate one once and keep it in .env.development.local (git-ignored), which Next
// loads on every later `next dev` and never in production (which refuses to start without one).
const ENV_LOCAL = path.join(process.cwd(), ".env.development.local");

function readSecretFromEnvLocal(): string | undefined {
  if (!existsSync(ENV_LOCAL)) return undefined;
  const line = readFileSync(ENV_LOCAL, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("AUTH_SECRET="));
  return line?.slice("AUTH_SECRET=".length).trim() || undefined;
}

export function authSecret(): string | undefined {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  if (env.NODE_ENV === "production") return undefined;
  let secret = process.env.AUTH_SECRET || readSecretFromEnvLocal();
  if (!secret) {
    secret = randomBytes(33).toString("base64url");
    appendFileSync(ENV_LOCAL, `\n# Generated for development on first start; production sets its own.\nAUTH_SECRET=${secret}\n`);
  }
  process.env.AUTH_SECRET = secret;
  return secret;
}
