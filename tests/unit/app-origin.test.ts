import { afterEach, describe, expect, it, vi } from "vitest";

// Emailed links and Stripe's return URLs come from APP_URL alone. Next accepts an Origin that
// matches a client-sent X-Forwarded-Host, so a link built from request headers could send a
// reset token to any host the requester names.
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ origin: "https://evil.example", "x-forwarded-host": "evil.example", host: "evil.example" }),
}));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function originWith(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { appOrigin } = await import("@/lib/billing/app-origin");
  return appOrigin();
}

describe("appOrigin", () => {
  it("is APP_URL's origin, whatever the request's Origin and X-Forwarded-Host say", async () => {
    expect(await originWith({ APP_URL: "https://app.example.com/some/path" })).toBe("https://app.example.com");
  });

  it("without APP_URL (development) is this machine, never a request header", async () => {
    expect(await originWith({ APP_URL: "", PORT: "3005" })).toBe("http://localhost:3005");
  });
});
