// A console view's state as it travels in the URL (?sort=&page= and the view's filters), so a
// view can be shared and reloaded. One parser for the sort and the page, one link builder, for
// every console table (users, audit log, abuse, feedback) and its CSV export.
import { FEEDBACK_SORTS, REFUSAL_SORTS, USER_SORTS, type FeedbackSort, type RefusalSort, type UserSort } from "@/db/queries/console";

export type SearchParams = Record<string, string | string[] | undefined>;

/** One value of a query parameter (the first, when it is repeated); "" counts as absent. */
export function param(params: SearchParams, key: string): string | undefined {
  const value = params[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : undefined;
}

/** The view's sort: one of `sorts` (the first is the default); anything else falls back to it, never an error. */
export function parseSort<S extends string>(params: SearchParams, sorts: readonly [S, ...S[]]): S {
  const value = param(params, "sort");
  return (sorts as readonly string[]).includes(value ?? "") ? (value as S) : sorts[0];
}

/** The page number (0-based), clamped: a made-up page is the first or the ten-thousandth, never an error. */
export function parsePage(params: SearchParams): number {
  return Math.max(0, Math.min(10_000, Number.parseInt(param(params, "page") ?? "0", 10) || 0));
}

/** A URL of a view: empty and undefined values are left out, so a view's link carries only what it sets. */
export function viewHref(path: string, values: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// ---- Each view's filters and sort (the page and its CSV export read the same ones) -------------

const text = (params: SearchParams, key: string) => param(params, key)?.trim().slice(0, 200) ?? "";

/** /admin/users: ?q= (part of an email) and ?sort=newest|email. */
export function parseUserView(params: SearchParams): { search: string; sort: UserSort } {
  return { search: text(params, "q"), sort: parseSort(params, USER_SORTS) };
}

export const ABUSE_WINDOWS = { "1h": 1, "24h": 24 } as const;
export type AbuseWindow = keyof typeof ABUSE_WINDOWS;

/** /admin/abuse: ?by=user|ip, ?window=1h|24h, ?sort=refusals|latest|accounts (accounts only for IPs). */
export function parseAbuseView(params: SearchParams): { by: "user" | "ip"; window: AbuseWindow; sort: RefusalSort } {
  const by = param(params, "by") === "ip" ? "ip" : "user";
  const window = param(params, "window") === "24h" ? "24h" : "1h";
  const sort = parseSort(params, REFUSAL_SORTS);
  return { by, window, sort: by === "user" && sort === "accounts" ? "refusals" : sort };
}

/** /admin/feedback: ?sort=newest|oldest. */
export function parseFeedbackView(params: SearchParams): { sort: FeedbackSort } {
  return { sort: parseSort(params, FEEDBACK_SORTS) };
}
