// Throughput at a fixed number of concurrent connections, with autocannon: every request gets
// its own prepared body (a fresh one-time token, a user with budget left, a client address),
// and every answer is checked, so a refusal or a broken stream counts as an error, not as speed.
import autocannon from "autocannon";
import type { Prepared } from "./clients";
import { round } from "./stats";

export type LoadResult = {
  connections: number;
  seconds: number;
  /** Answers that were 2xx and passed the check, per second. */
  goodPerSecond: number;
  requests: number;
  non2xx: number;
  /** 2xx answers that failed the check (a refusal inside a stream, a miss where a hit was expected). */
  badBodies: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p99: number };
};

export async function runLoad({
  url,
  connections,
  seconds,
  prepare,
  check,
}: {
  url: string;
  connections: number;
  seconds: number;
  prepare: () => Prepared;
  check: (body: string) => boolean;
}): Promise<LoadResult> {
  let good = 0;
  let badBodies = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => {
          const prepared = prepare();
          return { ...request, method: prepared.method, path: prepared.path, headers: prepared.headers, body: prepared.body };
        },
        onResponse: (status, body) => {
          if (status < 200 || status > 299) return; // counted by autocannon as non2xx
          if (check(body)) good++;
          else badBodies++;
        },
      },
    ],
  });
  const requests = result.requests.total;
  return {
    connections,
    seconds: result.duration,
    goodPerSecond: round(good / result.duration, 1),
    requests,
    non2xx: result.non2xx,
    badBodies,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
  };
}
