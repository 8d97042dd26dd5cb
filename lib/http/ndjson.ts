// The one reader of the chat route's NDJSON stream (one JSON event per line, each ending in
// "\n"; lib/chat/stream.ts writes it): the chat window and the tests read it here.
// No server-only import: the browser uses it too.

/** Yields each event as its line completes. A last line without its newline is incomplete and dropped. */
export async function* readNdjson<T>(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<T> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line) yield JSON.parse(line) as T;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The events of a whole NDJSON body already read as text. */
export function parseNdjson<T>(text: string): T[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
