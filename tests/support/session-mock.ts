import { AsyncLocalStorage } from "node:async_hooks";
import { vi } from "vitest";

// The one session stub of the in-process tests. Only the session cookie is stubbed (cookies
// need a request scope; tests/security covers them over HTTP): the rules that judge the claims
// against the user row (judgeSession and the rest) are the real ones. A test file mocks the
// session module with it, before it imports the app:
//   vi.mock("@/lib/auth/session-user", async () => (await import("../support/session-mock")).sessionModuleMock());

export type TestUser = { id: string; email: string; name: null; role: "user" | "admin"; hasPassword: boolean; emailVerified: boolean };

/** The signed-in user of code that runs outside `asUser` (null: no session). */
export const session = { user: null as TestUser | null };

// Each `asUser` call runs with its own user, so parallel requests never see each other's session.
const requestUser = new AsyncLocalStorage<TestUser | null>();
const currentUser = () => {
  const scoped = requestUser.getStore();
  return scoped === undefined ? session.user : scoped;
};

/** Runs one request as `user` (null: signed out), whatever `session.user` says meanwhile. */
export const asUser = <T>(user: TestUser | null, run: () => T): T => requestUser.run(user, run);

/** The claims a fresh cookie of this user carries (every test user keeps session version 0). */
export const claimsFor = (user: { id: string } | null) =>
  user ? { userId: user.id, sessionVersion: 0, signedInAt: Math.floor(Date.now() / 1000) } : null;

export const sessionModuleMock = async () => ({
  ...(await vi.importActual<typeof import("@/lib/auth/session-user")>("@/lib/auth/session-user")),
  getSessionUser: async () => currentUser(),
  getSessionUserId: async () => currentUser()?.id ?? null,
  requireUser: async () => currentUser(),
  getSessionClaims: async () => claimsFor(currentUser()),
  readSession: async () => {
    const user = currentUser();
    // The user as made by `newUser`: a verified address unless the test asked for an unproven one.
    return user ? { user: { ...user } } : { user: null, refusal: "unauthorized" as const };
  },
});
