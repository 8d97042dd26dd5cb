import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHAT_STREAM_DEADLINE_MAX_MS, MAX_UPSTREAM_TIMEOUT_MS, parseEnv, UPSTREAM_CALLS_PER_REQUEST } from "@/lib/env";

// A function the platform kills mid-request is neither settled nor audited: every route or page
// whose code calls the model declares a maxDuration, and every upstream wait of one request ends
// below it (issue 18.8).
const root = path.resolve(import.meta.dirname, "../..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** Route folders whose server actions or handlers reach the model (through a feature of lib/tools or lib/chat). */
function modelCallingSegments(): string[] {
  return filesUnder(path.join(root, "app"))
    .filter((file) => /\/(actions|route)\.ts$/.test(file))
    .filter((file) => /from "@\/lib\/(tools|chat)\//.test(readFileSync(file, "utf8")))
    .map((file) => path.dirname(file));
}

function maxDurationOf(segment: string): number | null {
  for (const name of ["page.tsx", "route.ts"]) {
    try {
      const match = /export const maxDuration = (\d+);/.exec(readFileSync(path.join(segment, name), "utf8"));
      if (match) return Number(match[1]);
    } catch {
      // no such file in this segment
    }
  }
  return null;
}

describe("maxDuration", () => {
  it("is declared by every route and page that calls the model, above every upstream wait of one request", () => {
    const segments = modelCallingSegments();
    expect(segments.map((segment) => path.relative(root, segment)).sort()).toEqual(
      expect.arrayContaining(["app/api/chat", "app/tools/rewrite", "app/tools/summarize"]),
    );
    for (const segment of segments) {
      const seconds = maxDurationOf(segment);
      expect(seconds, `${path.relative(root, segment)} declares no maxDuration`).not.toBeNull();
      expect(UPSTREAM_CALLS_PER_REQUEST * MAX_UPSTREAM_TIMEOUT_MS, path.relative(root, segment)).toBeLessThan(seconds! * 1000);
      expect(CHAT_STREAM_DEADLINE_MAX_MS).toBeLessThan(seconds! * 1000);
    }
  });

  it("OPENAI_TIMEOUT_MS cannot be set above its bound", () => {
    expect(parseEnv({}).OPENAI_TIMEOUT_MS).toBe(30_000);
    expect(() => parseEnv({ OPENAI_TIMEOUT_MS: String(MAX_UPSTREAM_TIMEOUT_MS + 1) })).toThrow(/OPENAI_TIMEOUT_MS/);
  });
});
