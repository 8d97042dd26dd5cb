import "server-only";
import { env } from "@/lib/env";

/**
 * Who may tell us the client's address (TRUSTED_PROXY, README). Only the declared proxy's
 * header is read; anything else the client sent is ignored, so a script cannot pick a new
 * per-IP bucket for each request.
 * - "vercel": `x-real-ip`, which Vercel's edge sets itself (a client-sent value is replaced).
 * - "cloudflare": `cf-connecting-ip`, set by Cloudflare (only sound when the origin accepts
 *   connections from Cloudflare alone).
 * - a hop count N: N proxies in front, each appending the address it saw to X-Forwarded-For,
 *   so the client is the N-th entry from the right; entries further left are client-written.
 * - "none": no proxy. Next.js gives handlers no socket address (and keeps a client-sent
 *   X-Forwarded-For), so no header is believed, and per-IP limits are off (perIpLimitsOn):
 *   one shared bucket would let anyone lock every user out. Per-user and per-email limits hold.
 */
export type TrustedProxy = "vercel" | "cloudflare" | "none" | number;

export function parseTrustedProxy(value: string | undefined): TrustedProxy {
  if (value === undefined || value === "none") return "none";
  if (value === "vercel" || value === "cloudflare") return value;
  return Number(value);
}

/** Whether per-IP limits apply: only when some proxy tells us the client's address. */
export function perIpLimitsOn(rule: TrustedProxy = parseTrustedProxy(env.TRUSTED_PROXY)): boolean {
  return rule !== "none";
}

/** The per-IP key when no trustworthy address is known. */
export const UNKNOWN_IP = "unknown";

export function clientIp(headers: Headers, rule: TrustedProxy = parseTrustedProxy(env.TRUSTED_PROXY)): string {
  let ip: string | undefined;
  if (rule === "vercel") ip = headers.get("x-real-ip") ?? undefined;
  else if (rule === "cloudflare") ip = headers.get("cf-connecting-ip") ?? undefined;
  else if (typeof rule === "number") {
    const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim());
    // Fewer entries than proxies: the request did not come through all of them.
    ip = hops.length >= rule ? hops[hops.length - rule] : undefined;
  }
  return ip?.trim() || UNKNOWN_IP;
}
