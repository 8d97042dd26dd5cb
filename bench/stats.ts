// Small pure helpers of the benchmark (tests/unit/bench-stats.test.ts).

/** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Milliseconds to three decimals, for the printed table and latest.json. */
export const round = (value: number, digits = 3): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** The median of a[i] - b[i]: paired samples taken one after the other, so drift cancels out. */
export function medianDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`unpaired samples: ${a.length} and ${b.length}`);
  return percentile(
    a.map((value, i) => value - b[i]!),
    50,
  );
}

export type Summary = { p50: number; p99: number; n: number };

export function summarize(values: readonly number[]): Summary {
  return { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), n: values.length };
}

/**
 * Sequential round trips a request makes to the stores, from the time it added when every
 * round trip was delayed, less what the delay added to a control request that touches no
 * store (the bare route: whatever the delayed proxies cost this machine besides waiting),
 * divided by the delay one round trip actually got (measured through the same proxies, since
 * timers are never exactly 1 ms).
 */
export function roundTrips(addedMs: number, controlAddedMs: number, perRoundTripMs: number): number {
  return perRoundTripMs > 0 ? round((addedMs - controlAddedMs) / perRoundTripMs, 1) : NaN;
}
