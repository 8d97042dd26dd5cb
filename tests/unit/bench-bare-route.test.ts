import { afterEach, describe, expect, it, vi } from "vitest";

// The benchmark's unguarded route must never serve a real model, whatever the flag says.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function post(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { POST } = await import("@/app/api/bench/bare/route");
  return POST(new Request("http://localhost/api/bench/bare", { method: "POST", body: JSON.stringify({ message: "hi" }) }));
}

describe("/api/bench/bare", () => {
  it("is not there without BENCH_BARE_ROUTE=on", async () => {
    expect((await post({ OPENAI_API_KEY: "k", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })).status).toBe(404);
  });

  it("is not there when the model is not on this machine, even with the flag on", async () => {
    for (const base of ["https://api.openai.com/v1", "http://10.0.0.5:8000/v1", ""]) {
      expect((await post({ BENCH_BARE_ROUTE: "on", OPENAI_API_KEY: "k", OPENAI_BASE_URL: base })).status, base).toBe(404);
      vi.resetModules();
    }
  });
});
