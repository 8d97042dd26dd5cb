import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

// The cron route's gate: Vercel Cron (and any scheduler) calls with
// `Authorization: Bearer ${CRON_SECRET}`. Without CRON_SECRET every call is refused.

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time: both sides are hashed to the same length before comparing. */
export function isCronAuthorized(headers: Headers, secret = env.CRON_SECRET): boolean {
  if (!secret) return false;
  const given = headers.get("authorization") ?? "";
  return timingSafeEqual(digest(given), digest(`Bearer ${secret}`));
}
