import { z } from "zod";
import { AUDIT_SORTS, type AuditFilters } from "@/db/queries/console";
import { parseSort, type SearchParams } from "@/lib/console-view";

// The audit browser's filters as they travel in the URL (?email=&action=&outcome=&model=
// &cache=yes|no&from=YYYY-MM-DD&to=YYYY-MM-DD&sort=newest|oldest&before=<id>); shared by the page
// and the CSV export.

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(value)));
const text = z.string().trim().max(200);

const filterSchema = z.object({
  email: text.optional().catch(undefined),
  action: text.optional().catch(undefined),
  outcome: text.optional().catch(undefined),
  model: text.optional().catch(undefined),
  cache: z.enum(["yes", "no"]).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** Unknown or malformed values are dropped (never an error page): the filter simply does not apply. */
export function parseAuditFilters(params: SearchParams): AuditFilters {
  const single = Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value || undefined]),
  );
  const parsed = filterSchema.parse(single);
  const sort = parseSort(params, AUDIT_SORTS);
  return {
    ...(sort !== "newest" && { sort }),
    email: parsed.email || undefined,
    action: parsed.action || undefined,
    outcome: parsed.outcome || undefined,
    model: parsed.model || undefined,
    cacheHit: parsed.cache === undefined ? undefined : parsed.cache === "yes",
    from: parsed.from,
    to: parsed.to,
    before: parsed.before,
  };
}

/** The query string for a set of filters (without the cursor unless given). */
export function auditFilterQuery(filters: AuditFilters, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  const entries: Record<string, string | number | undefined> = {
    email: filters.email,
    action: filters.action,
    outcome: filters.outcome,
    model: filters.model,
    cache: filters.cacheHit === undefined ? undefined : filters.cacheHit ? "yes" : "no",
    from: filters.from,
    to: filters.to,
    sort: filters.sort === "newest" ? undefined : filters.sort,
    ...extra,
  };
  for (const [key, value] of Object.entries(entries)) if (value !== undefined && value !== "") params.set(key, String(value));
  const query = params.toString();
  return query ? `?${query}` : "";
}
