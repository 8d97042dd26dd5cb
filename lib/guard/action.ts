import "server-only";
import { headers } from "next/headers";
import { after } from "next/server";
import type { ErrorPayload } from "@/lib/errors";
import { admitRequest, nextRequestToken, refuseRequest, startGuardedRequest, type AiFeature, type GuardContext } from "./index";
import { issueRequestToken } from "./request-token";

// The wrapper for every AI server action, as `userAction` is for the others: the guard
// pipeline runs first and cannot be skipped, the session check included (a request without
// one gets the same `unauthorized` payload), and every call leaves one audit row.

/** `requestId` names the answer's audit row (for the user's thumbs up / down). */
export type GuardedResult<T> = { ok: true; data: T; nextToken: string; requestId: string } | { ok: false; error: ErrorPayload; nextToken?: string };

/** The submitted fields, without the ones React adds to a form for progressive enhancement. */
function formFields(formData: FormData): Record<string, FormDataEntryValue> {
  return Object.fromEntries(Array.from(formData.entries()).filter(([name]) => !name.startsWith("$ACTION")));
}

export function guardedAction<T>(feature: AiFeature, run: (ctx: GuardContext) => Promise<T>) {
  return async (_previous: unknown, formData: FormData): Promise<GuardedResult<T>> =>
    runGuarded(
      {
        feature,
        raw: formData instanceof FormData ? formFields(formData) : null,
        headers: new Headers(await headers()),
        // A server action cannot be cancelled by the client (see STACK-NOTES); nothing aborts it.
        signal: new AbortController().signal,
        defer: (task) => after(task),
      },
      run,
    );
}

/** The guard, then `run` (the model call and settlement), as one result with the next token. */
export async function runGuarded<T>(
  options: Parameters<typeof startGuardedRequest>[0],
  run: (ctx: GuardContext) => Promise<T>,
): Promise<GuardedResult<T>> {
  const ctx = startGuardedRequest(options);
  try {
    await admitRequest(ctx);
    const data = await run(ctx);
    return { ok: true, data, nextToken: issueRequestToken(ctx.user!.id), requestId: ctx.requestId };
  } catch (error) {
    const appError = await refuseRequest(ctx, error);
    const nextToken = nextRequestToken(ctx);
    return { ok: false, error: appError.toPayload(), ...(nextToken && { nextToken }) };
  }
}
