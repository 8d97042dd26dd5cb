import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

// Both modules read the environment when they load: load them afresh per case.
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  vi.restoreAllMocks();
});

describe("ADMIN_EMAILS", () => {
  it("makes the listed emails admins, whatever their case, only once the address is proven, and nobody else", async () => {
    vi.stubEnv("ADMIN_EMAILS", " Boss@Example.com, ops@example.com ");
    const { roleFor } = await import("@/lib/auth/roles");
    expect(roleFor("boss@example.com", true)).toBe("admin");
    expect(roleFor("OPS@example.com", true)).toBe("admin");
    // Whoever signs up first with a listed address proves nothing until the link is opened.
    expect(roleFor("boss@example.com", false)).toBe("user");
    expect(roleFor("someone@example.com", true)).toBe("user");
    expect(roleFor(null, true)).toBe("user");
  });

  it("demotes an address removed from ADMIN_EMAILS, whatever is stored", async () => {
    vi.stubEnv("ADMIN_EMAILS", "ops@example.com");
    const { roleFor } = await import("@/lib/auth/roles");
    expect(roleFor("boss@example.com", true)).toBe("user");
  });
});

describe("development AUTH_SECRET", () => {
  it("is generated once into .env.development.local and reused after a restart", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "dev-secret-"));
    vi.spyOn(process, "cwd").mockReturnValue(directory);
    vi.stubEnv("NODE_ENV", "development");
    vi.stubEnv("AUTH_SECRET", "");
    const first = (await import("@/lib/auth/dev-secret")).authSecret();
    const file = path.join(directory, ".env.development.local");
    expect(first).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(readFileSync(file, "utf8")).toContain(`AUTH_SECRET=${first}`);

    vi.resetModules();
    vi.stubEnv("AUTH_SECRET", ""); // a restarted process that did not load the file itself
    const second = (await import("@/lib/auth/dev-secret")).authSecret();
    expect(second).toBe(first);
    expect(readFileSync(file, "utf8").match(/AUTH_SECRET=/g)).toHaveLength(1);
  });

  it("is never generated in production", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "dev-secret-"));
    vi.spyOn(process, "cwd").mockReturnValue(directory);
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("AUTH_SECRET", "");
    expect((await import("@/lib/auth/dev-secret")).authSecret()).toBeUndefined();
    expect(existsSync(path.join(directory, ".env.development.local"))).toBe(false);
  });
});
