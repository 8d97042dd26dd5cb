import "server-only";
import type { Ratelimit } from "@upstash/ratelimit";
import { perIpLimitsOn } from "@/lib/http/client-ip";
import { AUTH_ATTEMPT_LIMITS } from "@/lib/plans";
import { checkLimits, createLimiter, type LimitOutcome } from "@/lib/redis/limiter";

type AttemptKind = keyof typeof AUTH_ATTEMPT_LIMITS;

type Limiters = { perIp: Ratelimit; perEmail: Ratelimit; perEmailAndIp?: Ratelimit };

const limiters = Object.fromEntries(
  Object.entries(AUTH_ATTEMPT_LIMITS).map(([kind, limits]) => [
    kind,
    {
      perIp: createLimiter(`${kind}-ip`, limits.perIp.attempts, limits.perIp.window),
      perEmail: createLimiter(`${kind}-email`, limits.perEmail.attempts, limits.perEmail.window),
      ...("perEmailAndIp" in limits && {
        perEmailAndIp: createLimiter(`${kind}-email-ip`, limits.perEmailAndIp.attempts, limits.perEmailAndIp.window),
      }),
    },
  ]),
) as Record<AttemptKind, Limiters>;

/**
 * Counts one attempt against the email's budget and, when the client's address is known
 * (TRUSTED_PROXY), the IP's and the email-from-this-IP's. Without a known address only the
 * per-email ceiling applies: a bucket every client shares would let anyone lock everyone out.
 */
export function checkAuthAttempt(kind: AttemptKind, ip: string, email: string): Promise<LimitOutcome> {
  const address = email.toLowerCase();
  const { perIp, perEmail, perEmailAndIp } = limiters[kind];
  const checks: Array<[Ratelimit, string]> = [[perEmail, address]];
  if (perIpLimitsOn()) {
    checks.push([perIp, ip]);
    if (perEmailAndIp) checks.push([perEmailAndIp, `${address}|${ip}`]);
  }
  return checkLimits(checks);
}
