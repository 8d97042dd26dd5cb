import "server-only";
import { headers } from "next/headers";
import { after } from "next/server";
import type { ErrorPayload } from "@/lib/errors";
import type { FeatureRequest } from "./feature-adapter";

// What a guarded server action receives and returns. The action itself comes from
// `defineAIFeature` (lib/guard/feature.ts): the guard runs first and cannot be skipped, the
// session check included (a request without one gets the same `unauthorized` payload), and
// every call leaves one audit row.

/** `requestId` names the answer's audit row (for the user's thumbs up / down). */
export type GuardedResult<T> =
  { ok: true; data: T; nextToken: string; requestId: string } | { ok: false; error: ErrorPayload; nextToken?: string };

/** The submitted fields, without the ones React adds to a form for progressive enhancement. */
function formFields(formData: FormData): Record<string, FormDataEntryValue> {
  return Object.fromEntries(Array.from(formData.entries()).filter(([name]) => !name.startsWith("$ACTION")));
}

/** A server action's request, as the guard reads it. */
export async function actionRequest(formData: unknown): Promise<FeatureRequest> {
  return {
    raw: formData instanceof FormData ? formFields(formData) : null,
    headers: new Headers(await headers()),
    // A server action cannot be cancelled by the client (see STACK-NOTES); nothing aborts it.
    signal: new AbortController().signal,
    defer: (task) => after(task),
  };
}
