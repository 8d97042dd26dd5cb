/**
 * The rows of a raw `db.execute(sql…)` result on either driver: postgres.js returns an array
 * of rows, PGlite an object with `rows`.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
