// The open-source Portkey gateway (npm @portkey-ai/gateway), run beside the benchmark from a
// scratch directory of its own (BENCH_PORTKEY_DIR; it is not a dependency of this project),
// in front of the same fake model: what a plain proxy gateway adds to a model call.
//   mkdir -p /tmp/portkey && cd /tmp/portkey && npm init -y && npm install @portkey-ai/gateway
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export type Portkey = { url: string; stop: () => Promise<void> };

export async function startPortkey(dir: string, port: number): Promise<Portkey> {
  const entry = join(dir, "node_modules/@portkey-ai/gateway/build/start-server.js");
  if (!existsSync(entry)) throw new Error(`no Portkey gateway at ${entry} (npm install @portkey-ai/gateway in ${dir})`);
  const child: ChildProcess = spawn(process.execPath, [entry, `--port=${port}`, "--headless"], { cwd: dir, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 250) {
    if (child.exitCode !== null) throw new Error(`Portkey exited (${child.exitCode})`);
    if (await fetch(url).catch(() => null)) break;
    if (waited > 30_000) throw new Error("Portkey did not answer within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The same chat completion, straight to the fake model or through Portkey (its headers name the provider and the host). */
export function completionRequest(
  fakeUrl: string,
  via: "direct" | "portkey",
  portkeyUrl: string,
  stream: boolean,
): { url: string; init: RequestInit } {
  const body = JSON.stringify({ model: "gpt-4.1-nano", messages: [{ role: "user", content: "Benchmark message" }], stream });
  const headers: Record<string, string> = { "content-type": "application/json", authorization: "Bearer bench-key" };
  if (via === "direct") return { url: `${fakeUrl}/chat/completions`, init: { method: "POST", headers, body } };
  return {
    url: `${portkeyUrl}/v1/chat/completions`,
    init: { method: "POST", headers: { ...headers, "x-portkey-provider": "openai", "x-portkey-custom-host": fakeUrl }, body },
  };
}
