// Errors the app shows to people, typed by code. One map gives each code its HTTP status and
// the user's message; `retryAfterSeconds` and `fieldErrors` carry the next step.

export const ERROR_CODES = {
  unauthorized: { status: 401, message: "Please log in to continue." },
  forbidden: { status: 403, message: "You do not have access to this." },
  account_blocked: { status: 403, message: "This account is blocked. Contact support if you think this is a mistake." },
  invalid_input: { status: 400, message: "Please check the highlighted fields." },
  invalid_credentials: { status: 401, message: "Email or password is incorrect." },
  email_unverified: {
    status: 403,
    message: "Confirm your email address first: open the link we emailed you, or send a new one.",
  },
  invalid_link: { status: 400, message: "This link is invalid, expired or already used. Ask for a new one." },
  rate_limited: { status: 429, message: "Too many attempts. Please wait before trying again." },
  service_unavailable: { status: 503, message: "The service is temporarily unavailable. Please try again shortly." },
  not_found: { status: 404, message: "Not found." },
  conflict: { status: 409, message: "Someone else changed this at the same time. Reload the page." },
  billing_not_configured: {
    status: 503,
    message: "Billing is not configured on this server. Ask an administrator to set your plan.",
  },
  already_subscribed: { status: 409, message: 'You already have this plan. Use "Manage billing" on your account page.' },
  no_billing_account: { status: 409, message: "You have no billing account yet. Choose a plan on the pricing page first." },
  billing_unavailable: { status: 502, message: "The payment provider did not answer. Please try again in a minute." },
  // The guard pipeline (lib/guard). Messages here are defaults; the steps add the numbers.
  message_too_long: { status: 413, message: "Your message is too long." },
  model_not_allowed: { status: 403, message: "That model is not included in your plan. Upgrade for more models." },
  model_unavailable: { status: 503, message: "That model is not available on this server. Choose another model." },
  invalid_request_token: { status: 403, message: "This page has expired. Reload it and try again." },
  replayed_request: { status: 409, message: "This request was already sent. Reload the page and try again." },
  quota_exceeded: { status: 429, message: "You have reached today's limit for your plan." },
  budget_exhausted: { status: 503, message: "The service has reached today's spending limit. Please try again tomorrow." },
  moderated: { status: 400, message: "This message was flagged by the content filter and was not sent." },
  upstream_rate_limited: { status: 503, message: "The AI provider is busy right now. Please try again shortly." },
  // Once the provider has answered it bills, and so do we: these messages never promise that
  // nothing was charged (lib/guard/index.ts charges what was billed).
  upstream_error: { status: 502, message: "The AI provider failed to answer. Please try again." },
  upstream_timeout: { status: 504, message: "The AI provider took too long to answer. Please try again." },
  invalid_model_output: {
    status: 502,
    message: "The AI returned an answer in the wrong shape, so it is not shown. The attempt counts toward today's usage; please try again.",
  },
  model_refused: { status: 422, message: "The AI declined to answer this request. The attempt counts toward today's usage." },
  length_required: { status: 411, message: "Send the request with a Content-Length header." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** What an error carries besides its code and message: the next step for the user. */
type ErrorDetails = {
  retryAfterSeconds?: number;
  fieldErrors?: Record<string, string[]>;
  /** Where the user can lift the limit (the pricing page). */
  upgradeUrl?: string;
  /** When a daily limit resets (ISO 8601). */
  resetsAt?: string;
  /** Where the user takes the next step (e.g. the page that resends a verification link). */
  nextStep?: { href: string; label: string };
};

export type ErrorPayload = { code: ErrorCode; message: string } & ErrorDetails;

type AppErrorOptions = ErrorDetails & { message?: string; cause?: unknown };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds?: number;
  readonly fieldErrors?: Record<string, string[]>;
  readonly upgradeUrl?: string;
  readonly resetsAt?: string;
  readonly nextStep?: { href: string; label: string };

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.fieldErrors = options.fieldErrors;
    this.upgradeUrl = options.upgradeUrl;
    this.resetsAt = options.resetsAt;
    this.nextStep = options.nextStep;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  toPayload(): ErrorPayload {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterSeconds !== undefined && { retryAfterSeconds: this.retryAfterSeconds }),
      ...(this.fieldErrors !== undefined && { fieldErrors: this.fieldErrors }),
      ...(this.upgradeUrl !== undefined && { upgradeUrl: this.upgradeUrl }),
      ...(this.resetsAt !== undefined && { resetsAt: this.resetsAt }),
      ...(this.nextStep !== undefined && { nextStep: this.nextStep }),
    };
  }
}

export function rateLimitedError(retryAfterSeconds: number): AppError {
  return new AppError("rate_limited", {
    retryAfterSeconds,
    message: `Too many attempts. Try again in ${formatWait(retryAfterSeconds)}.`,
  });
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
