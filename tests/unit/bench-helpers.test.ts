import { describe, expect, it } from "vitest";
import { topSelfTime, type CpuProfile } from "../../bench/cpu-profile";
import { medianDifference, percentile, roundTrips, summarize } from "../../bench/stats";

// The benchmark's pure helpers: a wrong percentile or profile reader would print wrong figures
// with nothing to notice it by.
describe("percentile (nearest rank)", () => {
  it("picks the smallest value with p % at or below it, whatever the input order", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
  });

  it("p99 of 200 values is the second largest, not the maximum", () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(198);
    expect(summarize(values)).toEqual({ p50: 100, p99: 198, n: 200 });
  });

  it("is NaN for no values rather than a made-up zero", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("medianDifference", () => {
  it("is the median of the pairs' differences, not the difference of the medians", () => {
    // Pairs drift together (a busy stretch slows both); each pair differs by about 1.
    const off = [1, 10, 2, 20, 3];
    const on = [2, 11, 3.5, 21, 3.5];
    expect(medianDifference(on, off)).toBe(1);
    expect(percentile(on, 50) - percentile(off, 50)).toBe(0.5);
  });

  it("refuses samples that are not paired", () => {
    expect(() => medianDifference([1, 2], [1])).toThrow(/unpaired/);
  });
});

describe("roundTrips", () => {
  it("divides the added time, less the control's, by what one delayed round trip really cost", () => {
    expect(roundTrips(6.3, 0, 1.05)).toBe(6);
    expect(roundTrips(7.5, 1.2, 1.05)).toBe(6);
    expect(roundTrips(2, 0, 0)).toBeNaN();
  });
});

describe("topSelfTime (.cpuprofile reader)", () => {
  const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });
  // root → handler → hash; root → (idle). Samples: hash 3×, handler 1×, idle 2×, each lasting 1 ms.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("handler", "file:///app/.next/server/chunks/route.js", 9) },
      { id: 3, callFrame: frame("hash", "file:///app/node_modules/jose/dist/hash.js", 0) },
      { id: 4, callFrame: frame("(idle)") },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [3, 3, 2, 4, 3, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
  };

  it("counts each sample once at the top frame, leaves idle out, and shares are of busy time", () => {
    expect(topSelfTime(profile)).toEqual([
      { name: "hash", location: "jose/dist/hash.js:1", selfMs: 3, share: 75 },
      { name: "handler", location: ".next/server/chunks/route.js:10", selfMs: 1, share: 25 },
    ]);
  });

  it("sums by file when asked, and limits the list", () => {
    expect(topSelfTime(profile, { by: "file", limit: 1 })).toEqual([{ name: "jose/dist/hash.js", location: "", selfMs: 3, share: 75 }]);
  });

  it("keeps only the samples inside a window of the profile's clock", () => {
    // Samples are taken at 0, 1000, 2000, 3000, 4000, 5000 µs: hash, hash, handler, idle, hash, idle.
    expect(topSelfTime(profile, { window: { from: 1500, to: 4500 } }).map((entry) => [entry.name, entry.selfMs])).toEqual([
      ["handler", 1],
      ["hash", 1],
    ]);
  });

  it("falls back to hit counts when the profile has no sample list", () => {
    const withHits: CpuProfile = {
      ...profile,
      samples: undefined,
      timeDeltas: undefined,
      nodes: profile.nodes.map((node) => ({ ...node, hitCount: node.id === 3 ? 3 : node.id === 2 ? 1 : node.id === 4 ? 2 : 0 })),
    };
    expect(topSelfTime(withHits).map((entry) => [entry.name, entry.selfMs])).toEqual([
      ["hash", 3],
      ["handler", 1],
    ]);
  });
});
