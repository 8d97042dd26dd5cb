import { clearExpiredAuditText } from "@/lib/audit-retention";
import { checkBudgetAlerts, redeliverFailedAlerts } from "@/lib/guard/budget-alerts";
import { drainOutbox } from "@/lib/guard/outbox";
import { sweepExpiredReservations } from "@/lib/guard/usage";
import { isCronAuthorized } from "@/lib/http/cron-auth";
import { sweepSemanticCache } from "@/db/queries/semantic-cache";
import { REWRITE_PROMPT, SUMMARIZE_PROMPT } from "@/lib/ai/prompts";

// Periodic housekeeping, called by Vercel Cron (vercel.json) or any scheduler with
// `Authorization: Bearer ${CRON_SECRET}`. A thin list of jobs: each returns what it did.
export const dynamic = "force-dynamic";

const HOUSEKEEPING_JOBS: Record<string, () => Promise<number>> = {
  // Outcomes of requests that ended while PostgreSQL was down, queued in Redis (lib/guard/outbox.ts).
  drainedOutbox: () => drainOutbox(),
  // Reservations whose request died before it settled: released, audited as `lost`.
  releasedReservations: () => sweepExpiredReservations(),
  // Prompt and response text older than AUDIT_RETENTION_DAYS (the rows stay).
  clearedAuditTexts: () => clearExpiredAuditText(),
  // Budget lines crossed by spend applied above (the outbox, the sweeper), not by a settle.
  budgetAlertsRaised: () => checkBudgetAlerts(),
  // Budget alerts of the last two days the webhook never accepted.
  redeliveredAlerts: () => redeliverFailedAlerts(),
  // Semantic cache entries past their TTL, or stored under a prompt version no longer in use
  // (every feature with a semantic cache lists its current version here).
  removedSemanticEntries: () => sweepSemanticCache({ summarize: SUMMARIZE_PROMPT.version, rewrite: REWRITE_PROMPT.version }),
};

async function runHousekeeping(request: Request): Promise<Response> {
  if (!isCronAuthorized(request.headers)) {
    return Response.json(
      { error: { code: "unauthorized", message: "Unauthorized." } },
      { status: 401, headers: { "Cache-Control": "no-store" } },
    );
  }
  // Each job on its own: one that fails (PostgreSQL refusing one entry, a webhook down) is
  // reported and the others still run. Any failure answers 500, so a scheduler shows it.
  const results: Record<string, number | { error: string }> = {};
  const failed: string[] = [];
  for (const [name, job] of Object.entries(HOUSEKEEPING_JOBS)) {
    try {
      results[name] = await job();
    } catch (error) {
      console.error(`[housekeeping] ${name} failed`, error);
      results[name] = { error: error instanceof Error ? error.message : String(error) };
      failed.push(name);
    }
  }
  return Response.json(
    { ok: failed.length === 0, failed, ...results },
    { status: failed.length === 0 ? 200 : 500, headers: { "Cache-Control": "no-store" } },
  );
}

export const GET = runHousekeeping;
export const POST = runHousekeeping;
