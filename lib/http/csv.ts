/**
 * One CSV field. Quoted when needed; a text that a spreadsheet would run as a formula
 * (starting with = + - @ or a tab / carriage return) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV column: its header and how a row gives its cell. */
export type CsvColumns<T> = Array<[name: string, read: (row: T) => unknown]>;

/** Micro-dollars as dollars with every digit kept ("0.000012"): a spreadsheet sums them exactly. */
export const csvUsd = (micros: number) => (micros / 1_000_000).toFixed(6);

/**
 * A CSV download of `pages`, streamed a page at a time as the client reads (never all rows in
 * memory); the client going away stops the reading. `name` is the file's stem: "users" →
 * users-2026-12-05.csv.
 */
export function csvResponse<T>(name: string, columns: CsvColumns<T>, pages: AsyncGenerator<T[]>): Response {
  const encoder = new TextEncoder();
  const line = (cells: string[]) => `${cells.join(",")}\r\n`;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(line(columns.map(([header]) => csvField(header)))));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((row) => line(columns.map(([, read]) => csvField(read(row))))).join("")));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}

/** Every row of an offset-paged read, a page at a time, until a page comes back short. */
export async function* offsetPages<T>(read: (offset: number, limit: number) => Promise<T[]>, pageSize = 1000): AsyncGenerator<T[]> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = await read(offset, pageSize);
    if (rows.length) yield rows;
    if (rows.length < pageSize) return;
  }
}
