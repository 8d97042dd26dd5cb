import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { budgetDaily, reservations, usageDaily } from "@/db/schema";
import { upsertAuditRow, withRetries, writeAuditRow, type AuditEntry, type CountRequest } from "@/lib/audit-log";
import { redis, redisKey } from "@/lib/redis";

// A request's end, when PostgreSQL cannot take it: its settlement (real usage instead of the
// reservation) and its audit row wait in Redis, durably and outside this process, until
// PostgreSQL is back. One hash field per request id, so queueing twice keeps one entry.
//
// Applying an entry is one transaction, idempotent by request id: the reservation row is
// deleted (only one writer can), the audit row is inserted or replaces the sweeper's `lost`
// row, and the usage is charged only if this transaction released the reservation or replaced
// `lost` (the sweeper released it then). Two drains of one entry, or a drain racing the
// expiry sweeper, leave exactly one outcome: the second finds no reservation and a real row.
//
// Drained by `sweepExpiredReservations` before it expires anything (the housekeeping cron and
// 1 request in 50) and by this process's next request that reaches PostgreSQL. If Redis is
// down too, the entry is logged as OUTBOX_WRITE_FAILED and the expiry sweeper is the last
// resort: after RESERVATION_TTL_SECONDS the reservation is released and audited as `lost`.

/** What the request used, if settling it failed (the reservation is still held). */
export type PendingSettlement = { userId: string; day: string; tokens: number; costMicros: number; release: boolean };

export type OutboxEntry = {
  requestId: string;
  /** When it was queued (ms since the epoch): an entry older than OUTBOX_MAX_AGE_MS is given up. */
  queuedAt?: number;
  audit: AuditEntry;
  settlement: PendingSettlement | null;
  /** A cache hit reserved nothing: one request is counted with its row (lib/audit-log.ts). */
  countRequest?: CountRequest | null;
};

const OUTBOX = () => redisKey("outbox");
/**
 * Entries PostgreSQL refuses for what they are (not because it is down), or too old to matter:
 * moved here so the drain goes on past them, kept DEAD_LETTER_SECONDS for the console to show.
 */
const DEAD_LETTERS = () => redisKey("outbox-dead");
const DEAD_LETTER_SECONDS = 30 * 86_400;
/** Past this, a queued outcome is given up: the sweeper called its request `lost` long before. */
const OUTBOX_MAX_AGE_MS = 7 * 86_400_000;
/** Entries applied per drain; the rest wait for the next one. */
const DRAIN_LIMIT = 200;

// Set when this process queued an entry: its next request that reaches PostgreSQL drains.
let queuedHere = false;

/**
 * Writes a request's audit row, with its settlement if that failed, retrying for about 0.7 s;
 * if PostgreSQL still refuses, queues both in Redis. Never throws.
 */
export async function recordOutcome(entry: OutboxEntry): Promise<void> {
  try {
    await withRetries(() => applyEntry(entry));
  } catch (error) {
    console.error("[outbox] PostgreSQL refused the request's outcome: queued in Redis", entry.requestId, error);
    await queue(entry);
    return;
  }
  if (queuedHere) {
    queuedHere = false;
    await drainOutbox().catch((error) => console.error("[outbox] drain failed", error));
  }
}

async function queue(entry: OutboxEntry): Promise<void> {
  // The row's time is the request's, not the drain's.
  const queued: OutboxEntry = { ...entry, queuedAt: Date.now(), audit: { ...entry.audit, createdAt: entry.audit.createdAt ?? new Date() } };
  try {
    await redis.hset(OUTBOX(), { [entry.requestId]: JSON.stringify(queued) });
    queuedHere = true;
  } catch (error) {
    console.error(
      "OUTBOX_WRITE_FAILED: PostgreSQL and Redis both refused; the reservation sweeper will record this request as lost",
      JSON.stringify(queued),
      error,
    );
  }
}

/**
 * Applies and removes queued entries (up to DRAIN_LIMIT); returns how many were applied. An entry
 * PostgreSQL refuses for what it holds, one that cannot be read, or one past OUTBOX_MAX_AGE_MS
 * goes to the dead letters and the drain goes on; PostgreSQL being unreachable ends the drain
 * (the entry stays for the next one).
 */
export async function drainOutbox(): Promise<number> {
  const [, flat] = await redis.hscan(OUTBOX(), 0, { count: DRAIN_LIMIT });
  let applied = 0;
  for (let i = 0; i + 1 < flat.length && applied < DRAIN_LIMIT; i += 2) {
    const requestId = String(flat[i]);
    const raw = flat[i + 1];
    let entry: OutboxEntry;
    try {
      // @upstash/redis parses JSON values on read; a string means it was left as written.
      entry = (typeof raw === "string" ? JSON.parse(raw) : raw) as OutboxEntry;
      if (!entry?.audit) throw new Error("not an outbox entry");
    } catch (error) {
      await deadLetter(requestId, raw, `unreadable: ${String(error)}`);
      continue;
    }
    if (entry.queuedAt !== undefined && Date.now() - entry.queuedAt > OUTBOX_MAX_AGE_MS) {
      await deadLetter(requestId, raw, "expired");
      continue;
    }
    const audit = { ...entry.audit, createdAt: entry.audit.createdAt ? new Date(entry.audit.createdAt) : undefined };
    try {
      await applyEntry({ ...entry, audit });
    } catch (error) {
      if (!refusedForItsContent(error)) throw error; // PostgreSQL still down: this drain ends here
      console.error("[outbox] PostgreSQL refuses this entry for what it holds: moved to the dead letters", requestId, error);
      await deadLetter(requestId, raw, errorText(error));
      continue;
    }
    await redis.hdel(OUTBOX(), requestId);
    applied++;
  }
  return applied;
}

export type DeadLetter = { requestId: string; reason: string; at: string; entry: unknown };

async function deadLetter(requestId: string, raw: unknown, reason: string): Promise<void> {
  const letter: DeadLetter = { requestId, reason: reason.slice(0, 500), at: new Date().toISOString(), entry: raw };
  await redis.hset(DEAD_LETTERS(), { [requestId]: JSON.stringify(letter) });
  await redis.expire(DEAD_LETTERS(), DEAD_LETTER_SECONDS);
  await redis.hdel(OUTBOX(), requestId);
}

/** The dead letters, newest first (the console shows them). */
export async function deadLetters(limit = 50): Promise<DeadLetter[]> {
  const all = await redis.hgetall<Record<string, unknown>>(DEAD_LETTERS());
  return Object.values(all ?? {})
    .map((value) => (typeof value === "string" ? JSON.parse(value) : value) as DeadLetter)
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, limit);
}

/**
 * SQLSTATE classes that say the statement itself is refused, and always will be: data exceptions
 * (22: a NUL in text, a bad date), integrity (23), syntax or access rules (42). A connection
 * failure, a timeout or a server shutting down is none of these.
 */
function refusedForItsContent(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^(22|23|42)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

const errorText = (error: unknown) => {
  const parts: string[] = [];
  for (let cause: unknown = error; cause && parts.length < 3; cause = (cause as { cause?: unknown }).cause) {
    parts.push(cause instanceof Error ? cause.message : String(cause));
  }
  return parts.join(" <- ");
};

/** Entries waiting (tests and the health of a deployment). */
export async function outboxSize(): Promise<number> {
  return redis.hlen(OUTBOX());
}

async function applyEntry(entry: OutboxEntry): Promise<void> {
  const db = await getDb();
  const pending = entry.settlement;
  // The usual case: the request settled (or, a cache hit, reserved nothing): only its row is left.
  if (!pending) return writeAuditRow(db, entry.audit, entry.countRequest ?? undefined);
  await db.transaction(async (tx) => {
    // Lock order as everywhere (lib/guard/usage.ts): the reservation row, then usage, then budget.
    const [claimed] = await tx
      .delete(reservations)
      .where(eq(reservations.requestId, entry.requestId))
      .returning({ tokens: reservations.tokens, costMicros: reservations.costMicros });
    const audit = await upsertAuditRow(tx, entry.audit);
    // No reservation and no `lost` row replaced: this request was settled already (a drain
    // before this one, or a settle whose answer was lost with the connection).
    if (claimed === undefined && !audit.replacedLost) return;
    await tx
      .update(usageDaily)
      .set({
        // Released here: one request fewer. Released by the sweeper (`lost`), which gave the
        // request back: it counts again unless it is released anyway.
        requests: sql`${usageDaily.requests} + ${claimed ? (pending.release ? -1 : 0) : pending.release ? 0 : 1}`,
        tokensReserved: sql`greatest(0, ${usageDaily.tokensReserved} - ${claimed?.tokens ?? 0})`,
        tokensUsed: sql`${usageDaily.tokensUsed} + ${pending.tokens}`,
        costMicros: sql`${usageDaily.costMicros} + ${pending.costMicros}`,
      })
      .where(and(eq(usageDaily.userId, pending.userId), eq(usageDaily.day, pending.day)));
    await tx
      .update(budgetDaily)
      .set({
        reservedMicros: sql`greatest(0, ${budgetDaily.reservedMicros} - ${claimed?.costMicros ?? 0})`,
        costMicros: sql`${budgetDaily.costMicros} + ${pending.costMicros}`,
      })
      .where(eq(budgetDaily.day, pending.day));
  });
}
