import type { z } from "zod";
import { AppError } from "@/lib/errors";

/** zod parse that turns issues into the `invalid_input` error with per-field messages. */
export function parseStrict<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [String(issue.path[0] ?? "form")];
    const message = issue.code === "unrecognized_keys" ? "This field is not accepted." : issue.message;
    for (const key of keys) (fieldErrors[key] ??= []).push(message);
  }
  const unexpected = result.error.issues.flatMap((issue) => (issue.code === "unrecognized_keys" ? issue.keys : []));
  throw new AppError("invalid_input", {
    fieldErrors,
    message: unexpected.length > 0 ? `Unexpected field${unexpected.length > 1 ? "s" : ""}: ${unexpected.join(", ")}.` : undefined,
  });
}
