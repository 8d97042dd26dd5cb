import "server-only";
import type { Ratelimit } from "@upstash/ratelimit";
import { perIpLimitsOn } from "@/lib/http/client-ip";
import { AUTH_ATTEMPT_LIMITS } from "@/lib/plans";
import { checkLimits, createLimiter, type LimitOutcome } from "@/lib/redis/limiter";

type AttemptKind = keyof typeof AUTH_ATTEMPT_LIMITS;

const limiters = Object.fromEntries(
  Object.entries(AUTH_ATTEMPT_LIMITS).map(([kind, limits]) => [
    kind,
    {
      perIp: createLimiter(`${kind}-ip`, limits.perIp.attempts, limits.perIp.window),
      perEmail: createLimiter(`${kind}-email`, limits.perEmail.attempts, limits.perEmail.window),
    },
  ]),
) as Record<AttemptKind, { perIp: ReturnType<typeof createLimiter>; perEmail: ReturnType<typeof createLimiter> }>;

/** Counts one log-in or sign-up attempt against the email's budget and (when known: TRUSTED_PROXY) the IP's. */
export function checkAuthAttempt(kind: AttemptKind, ip: string, email: string): Promise<LimitOutcome> {
  const checks: Array<[Ratelimit, string]> = [[limiters[kind].perEmail, email.toLowerCase()]];
  if (perIpLimitsOn()) checks.push([limiters[kind].perIp, ip]);
  return checkLimits(checks);
}
