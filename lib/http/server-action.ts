import "server-only";
import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import { after } from "next/server";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit-log";
import { AppError, type ErrorPayload } from "@/lib/errors";
import { requireUser, type SessionUser } from "@/lib/auth/session-user";
import { parseStrict } from "@/lib/guard/parse-strict";

// Every server action is built with one of these wrappers, so none can forget the session
// check or input validation. They run again on every call: a request posted straight to the
// action's endpoint, without the UI, meets the same checks.

export type ActionResult<T = null> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

function parseForm<S extends z.ZodType>(schema: S, formData: unknown): z.output<S> {
  // A request posted straight to the action can send any argument list, not just a form.
  if (!(formData instanceof FormData)) throw new AppError("invalid_input", { message: "Send the form." });
  return parseStrict(schema, Object.fromEntries(formData));
}

function failure(error: unknown): { ok: false; error: ErrorPayload } {
  unstable_rethrow(error); // let Next's redirect() and notFound() through
  if (error instanceof AppError) return { ok: false, error: error.toPayload() };
  console.error("Unexpected error in a server action", error);
  return { ok: false, error: { code: "service_unavailable", message: "Something went wrong. Please try again." } };
}

/** An action anyone may call (sign-up, log-in): input is still validated. */
export function publicAction<S extends z.ZodType, T>(schema: S, run: (input: z.output<S>) => Promise<T>) {
  return async (_previous: unknown, formData: FormData): Promise<ActionResult<T>> => {
    try {
      return { ok: true, data: await run(parseForm(schema, formData)) };
    } catch (error) {
      return failure(error);
    }
  };
}

/** An action for signed-in users: the session is checked first, before input is even read. */
export function userAction<S extends z.ZodType, T>(schema: S, run: (input: z.output<S>, user: SessionUser) => Promise<T>) {
  return async (_previous: unknown, formData: FormData): Promise<ActionResult<T>> => {
    try {
      const user = await requireUser();
      return { ok: true, data: await run(parseForm(schema, formData), user) };
    } catch (error) {
      return failure(error);
    }
  };
}

/** What an admin action changed, for its audit row. */
export type AdminChange<T> = { result: T; before?: unknown; after?: unknown };

/**
 * An action only admins may run. Every call writes its own audit row `admin.<name>`: who
 * (the caller), what (the input), the state before and after, and the outcome ("ok",
 * "forbidden" for a non-admin, or the error code), so the console can answer "who did this".
 */
export function adminAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  run: (input: z.output<S>, admin: SessionUser) => Promise<AdminChange<T>>,
) {
  return async (_previous: unknown, formData: FormData): Promise<ActionResult<T>> => {
    let input: Record<string, unknown> | undefined;
    let user: SessionUser | undefined;
    const audit = (outcome: string, change: { before?: unknown; after?: unknown } = {}) => {
      if (!user) return; // no session: nobody to record (the request never got past the cookie)
      const target = typeof input?.userId === "string" ? input.userId : undefined;
      const row = {
        requestId: randomUUID(),
        userId: user.id,
        action: `admin.${name}`,
        outcome,
        details: { targetUserId: target, input, ...change },
      };
      after(() => recordAudit(row));
    };
    try {
      user = await requireUser();
      // A non-admin learns nothing about the input an action wants: refused before parsing. Its
      // audit row names the target user only (what else it sent is not worth storing).
      if (user.role !== "admin") {
        const target = formData instanceof FormData ? formData.get("userId") : null;
        input = typeof target === "string" ? { userId: target.slice(0, 64) } : undefined;
        throw new AppError("forbidden");
      }
      const parsed = parseForm(schema, formData);
      input = parsed as Record<string, unknown>;
      const change = await run(parsed, user);
      audit("ok", { before: change.before, after: change.after });
      return { ok: true, data: change.result };
    } catch (error) {
      unstable_rethrow(error);
      audit(error instanceof AppError ? error.code : "error");
      return failure(error);
    }
  };
}
