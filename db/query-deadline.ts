import "server-only";
import type { Sql } from "postgres";

/** A query PostgreSQL did not answer in time: the caller treats it like a database that is down. */
export class DatabaseTimeoutError extends Error {
  constructor(ms: number) {
    super(`PostgreSQL did not answer within ${ms} ms (DATABASE_QUERY_TIMEOUT_MS)`);
    this.name = "DatabaseTimeoutError";
  }
}

// A deadline on every query the app sends through postgres.js, enforced here in the client:
// a stalled server or network (or a pooler that holds the query) fails the query after `ms`
// instead of hanging the request. The server-side `statement_timeout` cannot do this: it only
// counts time the server spends executing, and as a startup parameter it does not pass
// transaction-mode poolers (pgbouncer refuses or drops it); set it on the database role
// instead (README, Deploying), which also reaches pooled connections. The query is not
// cancelled (postgres.js 3.4 throws an uncaught error from a cancel whose connection the
// network cuts); if it commits after its deadline, the caller has already treated it as
// failed, which the guard's writes tolerate: a late reservation only over-counts until the
// sweeper releases it (it can refuse, never admit), and a late settle is recognised by the
// outbox (lib/guard/outbox.ts), which then charges nothing twice.
//
// drizzle runs every query through `client.unsafe(...)` (sometimes `.values()`, which returns
// the same query) and every transaction through `client.begin(...)`: those are wrapped. A
// transaction's queries run on its own client, so the transaction has one deadline in all.

type Thenable = { then: (ok?: (value: unknown) => unknown, fail?: (error: unknown) => unknown) => Promise<unknown> };

function deadline<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(ms)), ms);
  });
  return Promise.race([Promise.resolve(work), expired]).finally(() => clearTimeout(timer));
}

function withQueryDeadline<Q extends Thenable>(query: Q, ms: number): Q {
  // postgres.js sends a query when it is first awaited (its `then`): race that against the clock.
  const send = query.then.bind(query);
  query.then = (ok, fail) => {
    const answer = new Promise<unknown>((resolve, reject) => void send(resolve, reject));
    return deadline(answer, ms).then(ok, fail);
  };
  return query;
}

export function withDeadlines(client: Sql, ms: number): Sql {
  // What code assigns onto the client (a test's instrumentation wrapping `unsafe`) is kept here:
  // it already wraps the deadline-wrapped method it read, so it is returned as it is.
  const assigned = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    set(_target, property, value) {
      assigned.set(property, value);
      return true;
    },
    get(target, property, receiver) {
      if (assigned.has(property)) return assigned.get(property);
      if (property === "unsafe") {
        return (...args: Parameters<Sql["unsafe"]>) => withQueryDeadline(target.unsafe(...args) as unknown as Thenable, ms);
      }
      if (property === "begin") {
        // A transaction (a few short statements here: billing webhooks, the outbox) has one
        // deadline for the whole of it, BEGIN and COMMIT included, which postgres.js sends itself.
        return (...args: unknown[]) => {
          const begin = target.begin as unknown as (...beginArgs: unknown[]) => Promise<unknown>;
          return deadline(begin.apply(target, args), ms);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
