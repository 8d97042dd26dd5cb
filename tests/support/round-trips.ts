// Counts the app's round trips to its stores, at the clients' edge: every Postgres statement
// the Db object's driver sends (postgres.js `unsafe`, PGlite `query`) and every request the
// Redis client hands its requester (one pipeline = one request = one round trip), each with
// its start and end on this process's clock (performance.now()).

export type RoundTrip = { store: "postgres" | "redis"; what: string; start: number; end: number };

type Thenable = { then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (error: unknown) => unknown) => unknown };

export function instrumentRoundTrips(db: unknown, redis: unknown) {
  const trips: RoundTrip[] = [];
  const record = (store: RoundTrip["store"], what: string) => {
    const trip: RoundTrip = { store, what, start: performance.now(), end: Number.POSITIVE_INFINITY };
    trips.push(trip);
    return () => (trip.end = performance.now());
  };

  const client = (db as { $client: Record<string, unknown> }).$client;
  const requester = (redis as { client: { request: (req: { path?: string[]; body?: unknown }) => Promise<unknown> } }).client;
  const originals = { unsafe: client.unsafe, query: client.query, request: requester.request };
  if (typeof client.unsafe === "function") {
    // postgres.js: `unsafe` returns a lazy query that runs when awaited; the trip starts then.
    const unsafe = (client.unsafe as (...args: unknown[]) => Thenable).bind(client);
    client.unsafe = (...args: unknown[]) => {
      const query = unsafe(...args);
      const then = query.then.bind(query);
      let done: (() => void) | undefined;
      query.then = (onFulfilled, onRejected) => {
        done ??= record("postgres", String(args[0]).trim().slice(0, 80));
        return then(
          (value) => (done!(), onFulfilled ? onFulfilled(value) : value),
          (error) => {
            done!();
            if (onRejected) return onRejected(error);
            throw error;
          },
        );
      };
      return query;
    };
  } else if (typeof client.query === "function") {
    // PGlite: in process, one statement at a time.
    const query = (client.query as (...args: unknown[]) => Promise<unknown>).bind(client);
    client.query = async (...args: unknown[]) => {
      const done = record("postgres", String(args[0]).trim().slice(0, 80));
      try {
        return await query(...args);
      } finally {
        done();
      }
    };
  } else {
    throw new Error("unknown Postgres client");
  }

  const request = requester.request.bind(requester);
  requester.request = async (req) => {
    const commands = req.path?.[0] ? (req.body as unknown[][]).map((command) => String(command[0])) : [String((req.body as unknown[])[0])];
    const done = record("redis", `${req.path?.[0] ?? "command"}: ${commands.join(" ")}`);
    try {
      return await request(req);
    } finally {
      done();
    }
  };

  return {
    trips,
    /** The trips that started before `until`, for one store. */
    before: (store: RoundTrip["store"], until: number) => trips.filter((trip) => trip.store === store && trip.start < until),
    reset: () => void trips.splice(0),
    /** Puts the clients' own methods back. */
    restore: () => {
      if (originals.unsafe) client.unsafe = originals.unsafe;
      if (originals.query) client.query = originals.query;
      requester.request = originals.request;
    },
  };
}

/**
 * How many round trips had to wait for one another: the longest chain of trips in which each
 * starts after the one before it ended. Trips that overlap (run in parallel) share a level.
 */
export function sequentialDepth(trips: readonly RoundTrip[]): number {
  const sorted = [...trips].sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  sorted.forEach((trip, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.end <= trip.start) before = Math.max(before, depth[j]!);
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}
