// `next start` for the benchmark: spawned as node itself (not through npx), so its pid is the
// server's, its memory can be read from /proc, and SIGTERM reaches it (a CPU profile is
// written on a clean exit).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export type BenchServer = {
  base: string;
  /** Resident memory of the server and its child processes, in bytes. */
  memory: () => number;
  stop: () => Promise<void>;
};

export async function startNextServer({
  port,
  env,
  profileDir,
}: {
  port: number;
  env: Record<string, string>;
  profileDir?: string;
}): Promise<BenchServer> {
  // Node 20 refuses --cpu-prof in NODE_OPTIONS: it goes on the command line (next start serves
  // from this same process).
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const server = spawn(process.execPath, [...profile, "node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  server.stderr!.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(server);
  for (let waited = 0; ; waited += 250) {
    if (server.exitCode !== null) throw new Error(`next start on ${port} exited (${server.exitCode}):\n${stderr}`);
    if ((await fetch(`${base}/api/health`).catch(() => null))?.ok) break;
    if (waited > 90_000) {
      await stop();
      throw new Error(`next start on ${port} not healthy after 90 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { base, memory: () => treeMemory(server.pid!), stop };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** RSS of a process and all its descendants (from /proc), in bytes. */
export function treeMemory(rootPid: number): number {
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

/** Samples a server's memory every `everyMs` until stopped; returns the peak and the last sample. */
export function sampleMemory(server: BenchServer, everyMs = 100) {
  let peak = server.memory();
  const timer = setInterval(() => (peak = Math.max(peak, server.memory())), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakBytes: Math.max(peak, server.memory()) };
    },
  };
}
