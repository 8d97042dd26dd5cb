import { accessSync, constants } from "node:fs";
import path from "node:path";

// `npm test` must pass on a machine with only Node and npm (README). A test that needs a program
// or a service such a machine lacks is skipped there, and says once, in the run's output, what it
// skipped and why; CI (.ci/run) provides all of them, so nothing is skipped there.

/** Whether an executable of this name is on PATH. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Returns `met`; when it is false, prints once which tests are skipped and why. Use with
 * `describe.skipIf(!requirement(...))`.
 */
export function requirement(met: boolean, what: string, why: string): boolean {
  if (!met) console.warn(`SKIPPED ${what}: ${why}`);
  return met;
}
