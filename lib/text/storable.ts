// PostgreSQL refuses a NUL character in text and jsonb, and a lone UTF-16 surrogate in jsonb
// (and it cannot be encoded as UTF-8 at all). Anything a client sent that is written to a row
// passes through here first, so no request can make a row unwritable: an audit row refused
// forever would stop the outbox that retries it.

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with NUL and unpaired surrogates replaced by U+FFFD (the replacement character). */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

/** A JSON value with every string and object key made storable. */
export function storableJson<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map((item) => storableJson(item)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)])) as T;
  }
  return value;
}
