import "server-only";
import { AppError } from "@/lib/errors";

// What every provider adapter shares: the client abort, the idle guard on a stream, and one
// mapping from whatever an SDK throws to the error the user sees. Each adapter only says how to
// read its SDK's error (`UpstreamFailure`); the mapping itself lives here once, so a 429 or a
// timeout means the same thing whichever provider served the request.

export class ClientAbort extends Error {
  constructor() {
    super("The client closed the request");
    this.name = "ClientAbort";
  }
}

/** How an adapter reads its SDK's error: the HTTP status, the retry hint, a timeout. */
export type UpstreamFailure = { status?: number; retryAfter?: string | null; timeout?: boolean };

/** Maps whatever an SDK throws to the error the user sees (or a client abort). */
export function toUpstreamError(error: unknown, signal: AbortSignal, read: (error: unknown) => UpstreamFailure): Error {
  if (signal.aborted) return new ClientAbort();
  if (error instanceof AppError || error instanceof ClientAbort) return error;
  const failure = read(error);
  if (failure.timeout) return new AppError("upstream_timeout", { cause: error });
  if (failure.status === 429) {
    const retryAfter = Number(failure.retryAfter);
    return new AppError("upstream_rate_limited", {
      cause: error,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 10,
    });
  }
  return new AppError("upstream_error", { cause: error });
}

/**
 * An AbortSignal that fires on the client's abort, or when the upstream stays silent for
 * `idleMs` (an SDK's timeout covers at most the wait for the response headers). `touch()`
 * restarts the idle clock after each chunk.
 */
export function idleGuard(clientSignal: AbortSignal, idleMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleMs);
  };
  const onClientAbort = () => controller.abort();
  clientSignal.addEventListener("abort", onClientAbort, { once: true });
  touch();
  return {
    signal: controller.signal,
    touch,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    },
  };
}

/**
 * Runs one upstream stream under the idle guard and maps its failures: after a client abort
 * the iterator may just end, so the abort is thrown; a silent upstream is a timeout.
 */
export async function* guardedStream<T>(
  clientSignal: AbortSignal,
  idleMs: number,
  read: (error: unknown) => UpstreamFailure,
  run: (signal: AbortSignal, touch: () => void) => AsyncIterable<T>,
): AsyncIterable<T> {
  const idle = idleGuard(clientSignal, idleMs);
  try {
    for await (const event of run(idle.signal, idle.touch)) yield event;
    if (clientSignal.aborted) throw new ClientAbort();
    if (idle.timedOut()) throw new AppError("upstream_timeout");
  } catch (error) {
    if (idle.timedOut() && !clientSignal.aborted) throw new AppError("upstream_timeout", { cause: error });
    throw toUpstreamError(error, clientSignal, read);
  } finally {
    idle.dispose();
  }
}

/** A whole (not streamed) call under a timeout, its failures mapped. */
export async function guardedCall<T>(
  clientSignal: AbortSignal,
  timeoutMs: number,
  read: (error: unknown) => UpstreamFailure,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await run(AbortSignal.any([clientSignal, timeout]));
  } catch (error) {
    if (timeout.aborted && !clientSignal.aborted) throw new AppError("upstream_timeout", { cause: error });
    throw toUpstreamError(error, clientSignal, read);
  }
}
