// A reader for V8 .cpuprofile files (what `node --cpu-prof` writes): where the time went,
// by function and by file, counting each sample's time once, at the function that was on top
// of the stack (self time). `BENCH_PROFILE=1 npm run bench` prints it for the server.

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber?: number };
export type CpuProfile = {
  nodes: Array<{ id: number; callFrame: CallFrame; hitCount?: number }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample; timeDeltas[i] is the gap before samples[i]. */
  timeDeltas?: number[];
};

export type SelfTime = { name: string; location: string; selfMs: number; share: number };

/** V8's pseudo-frames for time spent outside JavaScript functions. */
const IDLE = "(idle)";

function frameName(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  // V8 names a regular expression's compiled code by its source, which can run to lines.
  return name.length > 60 ? `${name.slice(0, 57)}...` : name;
}

/** "file:line" with the path shortened to what tells packages and app chunks apart. */
export function shortLocation(frame: CallFrame): string {
  if (!frame.url) return "";
  const path = frame.url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("node_modules/");
  const short =
    inModules >= 0 ? path.slice(inModules + "node_modules/".length) : path.includes("/.next/") ? `.next/${path.split("/.next/")[1]}` : path;
  return `${short}:${frame.lineNumber + 1}`;
}

/** A stretch of the profile, in its own clock (microseconds, CLOCK_MONOTONIC: process.hrtime in any process). */
export type Window = { from: number; to: number };

/** Self time per node id, in microseconds. Each sample lasts until the next one. */
function selfMicrosByNode(profile: CpuProfile, window?: Window): Map<number, number> {
  const byNode = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length === timeDeltas.length && samples.length > 0) {
    let at = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      at += timeDeltas[i]!;
      // The gap after a sample is the time it stood for; the last one gets the profile's end.
      const lasts = i + 1 < samples.length ? timeDeltas[i + 1]! : Math.max(0, profile.endTime - at);
      if (window && (at < window.from || at > window.to)) continue;
      byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + lasts);
    }
    return byNode;
  }
  if (window) return byNode; // no timestamps: no way to cut a stretch out
  // No sample list: spread the profile's duration over the hit counts.
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) byNode.set(node.id, (node.hitCount ?? 0) * perHit);
  return byNode;
}

/**
 * The functions with the most self time, idle time left out (shares are of the busy time).
 * `by: "file"` sums per source file instead (which package or chunk costs the time); `window`
 * keeps only the samples taken in that stretch (one phase of the benchmark).
 */
export function topSelfTime(
  profile: CpuProfile,
  { limit = 15, by = "function", window }: { limit?: number; by?: "function" | "file"; window?: Window } = {},
): SelfTime[] {
  const micros = selfMicrosByNode(profile, window);
  const totals = new Map<string, SelfTime>();
  let busy = 0;
  for (const node of profile.nodes) {
    const time = micros.get(node.id) ?? 0;
    if (time === 0 || node.callFrame.functionName === IDLE) continue;
    busy += time;
    const location = shortLocation(node.callFrame);
    const name = by === "file" ? location.replace(/:\d+$/, "") || frameName(node.callFrame) : frameName(node.callFrame);
    const key = by === "file" ? name : `${name}\n${location}`;
    const entry = totals.get(key) ?? { name, location: by === "file" ? "" : location, selfMs: 0, share: 0 };
    entry.selfMs += time / 1000;
    totals.set(key, entry);
  }
  return [...totals.values()]
    .map((entry) => ({
      ...entry,
      selfMs: Math.round(entry.selfMs * 10) / 10,
      share: busy > 0 ? Math.round((entry.selfMs * 1000 * 1000) / busy) / 10 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}
