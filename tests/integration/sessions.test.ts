import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { findUserById, revokeAllSessions, setUserBlocked } from "@/db/queries/users";
import { authorizeWithPassword, BlockedSignIn } from "@/lib/auth";
import { judgeSession } from "@/lib/auth/session-user";
import { encode } from "next-auth/jwt";
import { decodeSessionToken, SESSION_MAX_AGE_SECONDS, sessionClaims, sessionCookieValue } from "@/lib/auth/session-token";
import { closeDatabase } from "../support/close-database";
import { newUser } from "../support/guard-harness";
import { claimsFor } from "../support/session-mock";

// Opening the database (PGlite start and migrations) belongs in a hook, not in the first test's time.
beforeAll(async () => {
  await getDb();
});

afterAll(async () => {
  await closeDatabase(await getDb());
});

const signIn = (ip: string) => new Request("http://localhost/api/auth/callback/credentials", { headers: { "x-forwarded-for": ip } });

describe("account state: session version and blocking", () => {
  it("a cookie is valid only for the user's current session version; revoking bumps it for every copy", async () => {
    const user = await newUser();
    const claims = claimsFor(user)!;
    expect(judgeSession(claims, await findUserById(user.id)).user?.id).toBe(user.id);
    expect(await revokeAllSessions(user.id)).toBe(claims.sessionVersion + 1);
    expect(judgeSession(claims, await findUserById(user.id))).toEqual({ user: null, refusal: "unauthorized" });
    expect(judgeSession({ ...claims, sessionVersion: claims.sessionVersion + 1 }, await findUserById(user.id)).user?.id).toBe(user.id);
    expect(judgeSession(claims, null)).toEqual({ user: null, refusal: "unauthorized" }); // deleted
    expect(await revokeAllSessions(randomUUID())).toBeNull();
  });

  it("a blocked user's session is refused as blocked and stays revoked after unblocking; sign-in is refused only with the right password", async () => {
    const user = await newUser({ password: "right password 9" });
    const claims = claimsFor(user)!;
    await setUserBlocked(user.id, true);
    const blocked = await findUserById(user.id);
    expect(blocked?.blockedAt).toBeInstanceOf(Date);
    expect(judgeSession({ ...claims, sessionVersion: blocked!.sessionVersion }, blocked)).toEqual({
      user: null,
      refusal: "account_blocked",
    });
    await expect(
      authorizeWithPassword({ email: user.email, password: "right password 9" }, signIn("198.51.100.70")),
    ).rejects.toBeInstanceOf(BlockedSignIn);
    expect(await authorizeWithPassword({ email: user.email, password: "wrong password 9" }, signIn("198.51.100.71"))).toBeNull();

    await setUserBlocked(user.id, false);
    const unblocked = await findUserById(user.id);
    expect(unblocked?.blockedAt).toBeNull();
    expect(judgeSession(claims, unblocked).user).toBeNull(); // the old cookie does not come back
    expect(await authorizeWithPassword({ email: user.email, password: "right password 9" }, signIn("198.51.100.72"))).toMatchObject({
      id: user.id,
    });
  });

  it("a token lives SESSION_MAX_AGE_SECONDS from sign-in, and needs the version and sign-in time", () => {
    const now = 2_000_000_000;
    const token = { sub: "u1", sv: 3, auth_time: now - SESSION_MAX_AGE_SECONDS };
    expect(sessionClaims(token, now)).toEqual({ userId: "u1", sessionVersion: 3, signedInAt: now - SESSION_MAX_AGE_SECONDS });
    expect(sessionClaims({ ...token, auth_time: now - SESSION_MAX_AGE_SECONDS - 1 }, now)).toBeNull();
    expect(sessionClaims({ sub: "u1", auth_time: now }, now)).toBeNull();
    expect(sessionClaims({ sub: "u1", sv: 0 }, now)).toBeNull();
    expect(sessionClaims({ ...token, auth_time: now + 3600 }, now)).toBeNull();
    expect(sessionClaims(null, now)).toBeNull();
  });
});

describe("the session cookie, decoded with a key derived once", () => {
  const secret = "session-cookie-test-secret";
  const name = "authjs.session-token";
  const claims = { sub: "u1", sv: 2, auth_time: Math.floor(Date.now() / 1000) };

  it("decodes what Auth.js encodes (every time, with the cached key), and nothing encoded for another secret or cookie name", async () => {
    const token = await encode({ token: claims, secret, salt: name });
    for (let i = 0; i < 3; i++) expect(await decodeSessionToken(token, secret, name)).toMatchObject(claims);
    expect(await decodeSessionToken(token, "another secret", name)).toBeNull();
    expect(await decodeSessionToken(token, secret, `__Secure-${name}`)).toBeNull();
    expect(await decodeSessionToken(await encode({ token: claims, secret, salt: `__Secure-${name}` }), secret, name)).toBeNull();
    expect(await decodeSessionToken(`${token.slice(0, -4)}AAAA`, secret, name)).toBeNull();
    expect(await decodeSessionToken("not-a-jwe", secret, name)).toBeNull();
    // Expired by Auth.js's own expiry (maxAge), beyond the 15 s clock tolerance.
    expect(await decodeSessionToken(await encode({ token: claims, secret, salt: name, maxAge: -60 }), secret, name)).toBeNull();
  });

  it("reads the cookie by its exact name, joins Auth.js's chunks in order, and reads no other header", () => {
    expect(sessionCookieValue(`a=1; ${name}=abc; b=2`, name)).toBe("abc");
    expect(sessionCookieValue(`${name}.1=def; ${name}.0=abc; ${name}.2=ghi`, name)).toBe("abcdefghi");
    expect(sessionCookieValue(`${name}x=abc; __Secure-${name}=zzz`, name)).toBeNull();
    expect(sessionCookieValue(`${name}=first; ${name}=second`, name)).toBe("first");
    expect(sessionCookieValue(null, name)).toBeNull();
  });
});
