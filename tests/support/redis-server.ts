import { spawn } from "node:child_process";
import IORedis from "ioredis";

export type RedisServer = {
  /** SIGKILL (Redis dies as in a crash), resolved once it has exited; nothing if it already has. */
  kill: () => Promise<void>;
};

/**
 * A redis-server of the caller's own on 127.0.0.1:port (never the shared one), without
 * persistence, for tests that kill it. Resolves once it answers PING. Needs redis-server on PATH.
 */
export async function startRedisServer(port: number): Promise<RedisServer> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const probe = new IORedis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    const answer = await probe
      .connect()
      .then(() => probe.ping())
      .catch(() => null);
    probe.disconnect();
    if (answer === "PONG") return { kill };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await kill();
  throw new Error(`redis-server did not start on port ${port}`);
}
