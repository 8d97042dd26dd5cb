import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a store (Redis, PostgreSQL) that can stall traffic on
 * demand: `delayMs` holds every client→server chunk that long (a slow network or a stalled
 * store), and `stallWhen` limits the stall to chunks whose text matches (e.g. only the rate
 * limiter's EVALSHA). `responseDelayMs`
 * holds every server→client chunk too, so both halves of a round trip cross a "network" (the
 * benchmark gives each direction 0.5 ms: 1 ms per round trip, as a function sees its store in
 * the same region). Delays are kept to a fraction of a millisecond, not the timers' 1 ms steps.
 * Order is kept in each direction.
 */
export type DelayProxy = {
  port: number;
  url: (scheme: string, path?: string) => string;
  delayMs: number;
  stallWhen: RegExp | null;
  /** Cuts every open connection (and what it still holds back), as a restarted network would. */
  dropConnections: () => void;
  responseDelayMs: number;
  close: () => Promise<void>;
};

/** Resolves at `at` (performance.now() time): a timer for all but the last millisecond, then turns of the event loop. */
function waitUntil(at: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const left = at - performance.now();
      if (left <= 0) resolve();
      else if (left > 1.5) setTimeout(check, left - 1);
      else setImmediate(check);
    };
    check();
  });
}

/** Forwards chunks from `from` to `to` in order, each `delayOf(chunk)` ms after it arrived. */
function relay(from: Socket, to: Socket, delayOf: (chunk: Buffer) => number) {
  let queue = Promise.resolve();
  from.on("data", (chunk) => {
    const delay = delayOf(chunk);
    if (delay <= 0) {
      // Nothing held: still behind any chunk that is, so order is kept.
      queue = queue.then(() => void (to.destroyed || to.write(chunk)));
      return;
    }
    const sendAt = performance.now() + delay;
    queue = queue.then(async () => {
      await waitUntil(sendAt);
      if (!to.destroyed) to.write(chunk);
    });
  });
}

export async function startDelayProxy(targetPort: number, listenPort = 0): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const proxy: DelayProxy = {
    port: 0,
    url: (scheme, path = "") => `${scheme}://127.0.0.1:${proxy.port}${path}`,
    delayMs: 0,
    stallWhen: null,
    responseDelayMs: 0,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      proxy.dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    // Small chunks leave at once (a round trip is a few bytes each way).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    relay(client, upstream, (chunk) =>
      proxy.delayMs > 0 && (!proxy.stallWhen || proxy.stallWhen.test(chunk.toString("latin1"))) ? proxy.delayMs : 0,
    );
    relay(upstream, client, () => proxy.responseDelayMs);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
