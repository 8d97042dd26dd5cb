import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a store (Redis, PostgreSQL) that can stall traffic on
 * demand: `delayMs` holds every client→server chunk that long (a slow network or a stalled
 * store), and `stallWhen` limits the stall to chunks whose text matches (e.g. only the rate
 * limiter's EVALSHA, so the one-time token claim before it still passes). Order is kept.
 */
export type DelayProxy = {
  port: number;
  url: (scheme: string, path?: string) => string;
  delayMs: number;
  stallWhen: RegExp | null;
  /** Cuts every open connection (and what it still holds back), as a restarted network would. */
  dropConnections: () => void;
  close: () => Promise<void>;
};

export async function startDelayProxy(targetPort: number, listenPort = 0): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const proxy: DelayProxy = {
    port: 0,
    url: (scheme, path = "") => `${scheme}://127.0.0.1:${proxy.port}${path}`,
    delayMs: 0,
    stallWhen: null,
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
    sockets.add(client).add(upstream);
    // Chunks leave in arrival order: each waits for the one before it and for its own delay.
    let queue = Promise.resolve();
    client.on("data", (chunk) => {
      const delay = proxy.delayMs > 0 && (!proxy.stallWhen || proxy.stallWhen.test(chunk.toString("latin1"))) ? proxy.delayMs : 0;
      const sendAt = Date.now() + delay;
      queue = queue.then(async () => {
        const wait = sendAt - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on("data", (chunk) => client.write(chunk));
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
