import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

// The one spawner of `next start` on the production build, for the e2e web server, the tests
// that need a server with settings of their own (no Stripe keys, its own Redis, one to kill
// mid-stream, one that must refuse to start) and the benchmark. `next` itself runs, not through
// npx, in a process group of its own: its pid is the server's (so its memory can be read from
// /proc) and stop() reaches every process of it. Nothing here is test-only (bench/ uses it).

export type NextServer = {
  /** http://localhost:PORT: Auth.js builds its URLs (and the browser its cookies) on localhost. */
  url: string;
  /** http://127.0.0.1:PORT: for load tools, which should not resolve a name. */
  ipUrl: string;
  child: ChildProcess;
  /** Resident memory of the server and its child processes, in bytes. */
  memory: () => number;
  /** Ends the server (its process group) and resolves once it exited (SIGKILL after 15 s); SIGKILL to kill it mid-request. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
};

type SpawnOptions = {
  /** Node flags for the server process (Node refuses --cpu-prof in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** "inherit": the server writes to this process's output (the e2e web server); otherwise it is kept for error messages. */
  output?: "inherit" | "keep";
  /**
   * false: stay in this process's group. Playwright ends its web server by SIGKILL to the web
   * server's group, so a server in a group of its own would outlive the run.
   */
  ownProcessGroup?: boolean;
};

function spawnNextStart(port: number, env: NodeJS.ProcessEnv, { nodeArgs = [], output = "keep", ownProcessGroup = true }: SpawnOptions) {
  const child = spawn(process.execPath, [...nodeArgs, "node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: output === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    detached: ownProcessGroup,
    env,
  });
  // The last 16 KB of what it printed (both streams): enough for a start-up error or refusal.
  let printed = "";
  const keep = (chunk: Buffer) => void (printed = (printed + chunk.toString()).slice(-16_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (ownProcessGroup) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  return { child, printed: () => printed, exited, signal };
}

/**
 * Starts `next start` on 127.0.0.1:port with exactly `env` (pass `{ ...process.env, ... }` to
 * inherit). Resolves when /api/health answers 200; rejects at once, with what the server printed,
 * if it exits first.
 */
export async function startNextServer(
  port: number,
  env: NodeJS.ProcessEnv,
  { timeoutMs = 60_000, ...spawnOptions }: SpawnOptions & { timeoutMs?: number } = {},
): Promise<NextServer> {
  const { child, printed, exited, signal } = spawnNextStart(port, env, spawnOptions);
  let stopping = false;
  const stop = async (name: NodeJS.Signals = "SIGTERM") => {
    stopping = true;
    signal(name);
    const timer = setTimeout(() => signal("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const server: NextServer = {
    url: `http://localhost:${port}`,
    ipUrl: `http://127.0.0.1:${port}`,
    child,
    memory: () => (child.pid === undefined ? 0 : treeMemory(child.pid)),
    stop,
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${server.ipUrl}/api/health`)
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) {
      // A server that dies under a test says why (its output is not shown otherwise).
      void exited.then((code) => {
        if (!stopping) console.error(`next start on port ${port} exited (${code ?? child.signalCode}) while in use:\n${printed()}`);
      });
      return server;
    }
    if (child.exitCode !== null)
      throw new Error(`next start on port ${port} exited with code ${child.exitCode} before it was healthy:\n${printed()}`);
    if (Date.now() > deadline) {
      await stop("SIGKILL");
      throw new Error(`next start on port ${port} was not healthy within ${timeoutMs} ms (last status ${status}):\n${printed()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts `next start` with a configuration it must refuse, and waits for it to exit. Answers its
 * exit code (null: still running after `timeoutMs`, then killed) and everything it printed.
 */
export async function startNextServerExpectingRefusal(
  port: number,
  env: NodeJS.ProcessEnv,
  { timeoutMs = 30_000 } = {},
): Promise<{ exitCode: number | null; output: string }> {
  const { printed, exited, signal } = spawnNextStart(port, env, {});
  const timer = setTimeout(() => signal("SIGKILL"), timeoutMs);
  const exitCode = await exited;
  clearTimeout(timer);
  return { exitCode, output: printed() };
}

/** RSS of a process and all its descendants (from /proc), in bytes. */
function treeMemory(rootPid: number): number {
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    try {
      pids.push(...readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // exited meanwhile
    }
  }
  return pids.reduce((sum, pid) => {
    try {
      return sum + Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    } catch {
      return sum;
    }
  }, 0);
}

/** Samples a server's memory every `everyMs` until stopped; answers the peak. */
export function sampleMemory(server: Pick<NextServer, "memory">, everyMs = 100) {
  let peak = server.memory();
  const timer = setInterval(() => (peak = Math.max(peak, server.memory())), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakBytes: Math.max(peak, server.memory()) };
    },
  };
}
