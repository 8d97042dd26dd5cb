import { spawn, type ChildProcess } from "node:child_process";

export type NextServer = {
  url: string;
  child: ChildProcess;
  /** Ends the server (its whole process group); SIGKILL to kill it mid-request. */
  stop: (signal?: NodeJS.Signals) => void;
};

/**
 * Another `next start` of the production build, for a test that needs a server with settings of
 * its own (no Stripe keys, its own Redis, a budget, one to kill mid-stream). `next` itself runs,
 * not through npx, in a process group of its own, so stop() reaches it. Resolves when
 * /api/health answers 200; rejects at once if the server exits first.
 */
export async function startNextServer(port: number, env: NodeJS.ProcessEnv, { timeoutMs = 60_000 } = {}): Promise<NextServer> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
    detached: true,
    env,
  });
  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${url}/api/health`)
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return { url, child, stop };
    if (child.exitCode !== null) throw new Error(`next start on port ${port} exited with code ${child.exitCode} before it was healthy`);
    if (Date.now() > deadline) {
      stop("SIGKILL");
      throw new Error(`next start on port ${port} was not healthy within ${timeoutMs} ms (last status ${status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
