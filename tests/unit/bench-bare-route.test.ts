import { afterEach, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server";

// The benchmark's unguarded route must never serve a real model, whatever the flag says.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function post(env: Record<string, string>, route: "bare" | "constant" = "bare") {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { POST } = route === "bare" ? await import("@/app/api/bench/bare/route") : await import("@/app/api/bench/constant/route");
  return POST(new Request(`http://localhost/api/bench/${route}`, { method: "POST", body: JSON.stringify({ message: "hi" }) }));
}

describe("/api/bench/bare", () => {
  it("is not there without BENCH_BARE_ROUTE=on", async () => {
    expect((await post({ BUILT_FOR_TESTS: "1", OPENAI_API_KEY: "k", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })).status).toBe(404);
  });

  it("is not there in a build not made for tests, even with the flag on and the model on this machine", async () => {
    const fake = await startFakeOpenAI();
    try {
      const response = await post({ BUILT_FOR_TESTS: "0", BENCH_BARE_ROUTE: "on", OPENAI_API_KEY: "k", OPENAI_BASE_URL: fake.url });
      expect(response.status).toBe(404);
      expect(fake.stats().chat).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it("is there with the flag on and the model on this machine (so the refusals below are not a route that is never there)", async () => {
    const fake = await startFakeOpenAI();
    try {
      for (const host of ["127.0.0.1", "localhost"]) {
        const response = await post({
          BUILT_FOR_TESTS: "1",
          BENCH_BARE_ROUTE: "on",
          OPENAI_API_KEY: "k",
          OPENAI_BASE_URL: fake.url.replace("127.0.0.1", host),
        });
        expect(response.status, host).toBe(200);
        expect(await response.text()).toContain('"type":"text"');
        vi.resetModules();
      }
    } finally {
      await fake.close();
    }
  });

  it("is not there when the model is not on this machine, even with the flag on", async () => {
    for (const base of [
      "https://api.openai.com/v1",
      "http://10.0.0.5:8000/v1",
      "http://127.0.0.1.nip.io/v1",
      "http://127.evil.example/v1",
      "",
    ]) {
      expect((await post({ BUILT_FOR_TESTS: "1", BENCH_BARE_ROUTE: "on", OPENAI_API_KEY: "k", OPENAI_BASE_URL: base })).status, base).toBe(
        404,
      );
      vi.resetModules();
    }
  });
});

describe("/api/bench/constant", () => {
  it("is not there without BENCH_BARE_ROUTE=on", async () => {
    expect((await post({ BENCH_BARE_ROUTE: "off" }, "constant")).status).toBe(404);
  });

  it("answers its fixed NDJSON reply with the flag on, and calls nothing", async () => {
    const response = await post({ BENCH_BARE_ROUTE: "on" }, "constant");
    expect(response.status).toBe(200);
    expect(
      (await response.text())
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line).type),
    ).toEqual(["text", "done"]);
  });
});
