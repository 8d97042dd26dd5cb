import { afterEach, describe, expect, it, vi } from "vitest";

// /dev/mailbox lists reset links: only development without SMTP_URL, and only with the key the
// server printed to its own console (a Host or X-Forwarded-For header is the client's to forge).
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function render(env: Record<string, string>, key: (realKey: string) => string | undefined) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { devMailboxKey } = await import("@/lib/email/dev-mailbox");
  const { default: DevMailboxPage } = await import("@/app/dev/mailbox/page");
  try {
    await DevMailboxPage({ searchParams: Promise.resolve({ key: key(devMailboxKey()) }) });
    return "shown";
  } catch (error) {
    if (error instanceof Error && /NEXT_HTTP_ERROR_FALLBACK;404|NEXT_NOT_FOUND/.test(String((error as { digest?: string }).digest)))
      return 404;
    throw error;
  }
}

describe("/dev/mailbox", () => {
  it("is shown in development with no SMTP_URL to whoever has the console's key", async () => {
    expect(await render({ NODE_ENV: "development", SMTP_URL: "" }, (key) => key)).toBe("shown");
  });

  it("is 404 without the key, with a wrong one, with SMTP_URL set, and outside development", async () => {
    expect(await render({ NODE_ENV: "development", SMTP_URL: "" }, () => undefined)).toBe(404);
    vi.resetModules();
    expect(await render({ NODE_ENV: "development", SMTP_URL: "" }, (key) => key.replace(/./, "0") + "0")).toBe(404);
    vi.resetModules();
    expect(await render({ NODE_ENV: "development", SMTP_URL: "" }, (key) => `${key.slice(0, -1)}${key.endsWith("a") ? "b" : "a"}`)).toBe(
      404,
    );
    vi.resetModules();
    expect(await render({ NODE_ENV: "development", SMTP_URL: "smtp://u:p@smtp.example.com:587" }, (key) => key)).toBe(404);
    vi.resetModules();
    expect(await render({ NODE_ENV: "test", SMTP_URL: "" }, (key) => key)).toBe(404);
  });
});
