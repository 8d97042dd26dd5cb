// The single typed source for tiers. Everything that enforces or shows a limit reads it;
// nothing else hard-codes a number.

export const PLAN_IDS = ["free", "pro"] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export type Plan = {
  id: PlanId;
  name: string;
  /** Stripe price lookup key (scripts/stripe-setup creates prices by it). Null: not for sale. */
  priceLookupKey: string | null;
  monthlyPriceUsd: number;
  requestsPerDay: number;
  tokensPerDay: number;
  requestsPerMinute: number;
  maxInputChars: number;
  maxOutputTokens: number;
  models: readonly string[];
};

export const PLANS: Record<PlanId, Plan> = {
  free: {
    id: "free",
    name: "Free",
    priceLookupKey: null,
    monthlyPriceUsd: 0,
    requestsPerDay: 20,
    tokensPerDay: 20_000,
    requestsPerMinute: 5,
    maxInputChars: 2_000,
    maxOutputTokens: 512,
    models: ["gpt-4.1-nano"],
  },
  pro: {
    id: "pro",
    name: "Pro",
    priceLookupKey: "pro_monthly",
    monthlyPriceUsd: 20,
    requestsPerDay: 500,
    tokensPerDay: 1_000_000,
    requestsPerMinute: 30,
    maxInputChars: 16_000,
    maxOutputTokens: 4_096,
    models: ["gpt-4.1-nano", "gpt-4.1-mini"],
  },
};

export const DEFAULT_PLAN: PlanId = "free";

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === "string" && (PLAN_IDS as readonly string[]).includes(value);
}

export function getPlan(id: string | null | undefined): Plan {
  return isPlanId(id) ? PLANS[id] : PLANS[DEFAULT_PLAN];
}

/** Plans that can be bought (they have a Stripe price). */
export const PAID_PLANS: readonly Plan[] = Object.values(PLANS).filter((plan) => plan.priceLookupKey !== null);

/** The plan a Stripe price belongs to, by its lookup key — never by product or price name. */
export function planForLookupKey(lookupKey: string | null | undefined): Plan | null {
  if (!lookupKey) return null;
  return PAID_PLANS.find((plan) => plan.priceLookupKey === lookupKey) ?? null;
}

/**
 * Grace rule (db/queries/account.ts `effectivePlan` applies it): after a failed payment a
 * past_due subscription keeps its paid plan for this many days from the first failed invoice,
 * while Stripe retries the card; then it is Free until a payment succeeds.
 */
export const PAST_DUE_GRACE_DAYS = 7;

/**
 * Limits that apply before anyone is signed in (brute force on log-in and sign-up). Log-in
 * counts failures per address from each IP (perEmailAndIp), so a stranger elsewhere cannot lock
 * the owner out, under a higher per-address ceiling across all IPs (perEmail) that still stops
 * a distributed brute force.
 */
export const AUTH_ATTEMPT_LIMITS = {
  login: {
    perIp: { attempts: 30, window: "10 m" },
    perEmailAndIp: { attempts: 10, window: "15 m" },
    perEmail: { attempts: 100, window: "15 m" },
  },
  signup: { perIp: { attempts: 10, window: "1 h" }, perEmail: { attempts: 5, window: "1 h" } },
  // Emails with links: each one costs a send and lands in someone's inbox.
  verify_resend: { perIp: { attempts: 10, window: "1 h" }, perEmail: { attempts: 3, window: "1 h" } },
  password_reset: { perIp: { attempts: 10, window: "1 h" }, perEmail: { attempts: 3, window: "1 h" } },
  // Password change and account deletion: the current password is checked, so it is limited like log-in.
  sensitive: { perIp: { attempts: 30, window: "10 m" }, perEmail: { attempts: 5, window: "15 m" } },
} as const;

/**
 * Per-IP limit on AI requests, on top of the plan's per-user limit: one address cannot drive
 * many accounts. Generous enough for an office behind one NAT.
 */
export const AI_PER_IP_LIMIT = { attempts: 60, window: "1 m" } as const;

/**
 * Requests refused before the account is read (a body that does not parse, a forged or stale
 * token): each still writes an audit row, so they are counted per cookie user and per IP, and
 * past these the answer is "rate_limited". Valid requests never reach these windows.
 */
export const INPUT_REFUSAL_LIMITS = { perUser: { attempts: 30, window: "1 m" }, perIp: { attempts: 120, window: "1 m" } } as const;

/** Votes on answers per user: each one writes a row and may evict cache entries. */
export const FEEDBACK_LIMIT = { attempts: 30, window: "1 m" } as const;
