import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { storableText } from "@/lib/text/storable";

/** How much of an unexpected field's name the error (and so the audit row) repeats. */
const ECHOED_NAME_LENGTH = 40;

/**
 * zod parse that turns issues into the `invalid_input` error with per-field messages. Names of
 * unexpected fields are the client's own text: they are counted, and only the first is named, cut
 * short and made storable, so a request cannot write what it likes into the error and the audit row.
 */
export function parseStrict<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string[]> = {};
  const unexpected: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") unexpected.push(...issue.keys);
    else (fieldErrors[String(issue.path[0] ?? "form")] ??= []).push(issue.message);
  }
  throw new AppError("invalid_input", {
    fieldErrors,
    message: unexpected.length > 0 ? describeUnexpected(unexpected) : undefined,
  });
}

function describeUnexpected(names: string[]): string {
  const first = storableText(names[0]!.slice(0, ECHOED_NAME_LENGTH)) + (names[0]!.length > ECHOED_NAME_LENGTH ? "…" : "");
  return names.length === 1 ? `Unexpected field "${first}".` : `${names.length} unexpected fields, the first "${first}".`;
}
