import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db";
import { findLinkedUserId } from "@/db/queries/sign-in-methods";
import { inheritTodaysUsage } from "@/db/queries/usage-carryover";
import { findUserByEmail, findUserById, markEmailVerified, normalizeEmail, setUserRole } from "@/db/queries/users";
import { accounts, users } from "@/db/schema";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { clientIp } from "@/lib/http/client-ip";
import { authSecret } from "@/lib/auth/dev-secret";
import { env } from "@/lib/env";
import { verifiedGitHubEmail } from "@/lib/auth/github-email";
import { AppError } from "@/lib/errors";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { roleFor } from "@/lib/auth/roles";
import { consumeLinkIntent } from "@/lib/auth/link-intent";
import { judgeSession } from "@/lib/auth/session-user";
import {
  SESSION_COOKIE_NAMES,
  SESSION_MAX_AGE_SECONDS,
  decodeSessionToken,
  sessionClaims,
  sessionClaimsFrom,
  sessionCookieValue,
} from "@/lib/auth/session-token";

export const credentialsSchema = z.object({
  email: z.email("Enter a valid email address.").max(254),
  password: z.string().min(1, "Enter your password.").max(128),
});

/** Codes travel to the log-in form (and to the URL of a direct POST): no secrets in them. */
export class RateLimitedSignIn extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `rate_limited:${retryAfterSeconds}`;
  }
}
export class UnavailableSignIn extends CredentialsSignin {
  code = "unavailable";
}
/** Only after the password matched, so the answer does not reveal which accounts are blocked. */
export class BlockedSignIn extends CredentialsSignin {
  code = "blocked";
}

export const githubEnabled = Boolean(env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET);
// github.com, or GitHub Enterprise Server (and the tests' GitHub fake) at AUTH_GITHUB_BASE_URL.
const githubApi = env.AUTH_GITHUB_BASE_URL ? `${env.AUTH_GITHUB_BASE_URL.replace(/\/$/, "")}/api/v3` : "https://api.github.com";

/** Where a refused OAuth link sends the browser (the page says why). */
export const LINK_REFUSED_PATH = "/account?link=refused";

/** The user any session cookie on this request names, valid or not: Auth.js would link to it. */
async function cookieSubject(requestHeaders: Headers): Promise<string | null> {
  const secret = authSecret();
  if (!secret) return null;
  for (const name of SESSION_COOKIE_NAMES) {
    const token = sessionCookieValue(requestHeaders.get("cookie"), name);
    const payload = token ? await decodeSessionToken(token, secret, name) : null;
    if (typeof payload?.sub === "string" && payload.sub) return payload.sub;
  }
  return null;
}

/**
 * An OAuth account that is not linked yet, arriving with a session cookie, is a link: allowed only
 * when that session is valid now (not revoked, blocked or deleted) and the user asked for it on
 * /account after proving it is them (lib/auth/link-intent.ts). Anything else is refused.
 */
async function mayLink(userId: string, requestHeaders: Headers): Promise<boolean> {
  const claims = await sessionClaimsFrom(requestHeaders);
  if (claims?.userId !== userId) return false;
  const session = judgeSession(claims, await findUserById(userId));
  return session.user !== null && (await consumeLinkIntent(userId, claims.sessionVersion));
}

// Every password check, whether it comes from our form or from a direct POST to
// /api/auth/callback/credentials, passes through here, so the brute-force limit lives here.
export async function authorizeWithPassword(credentials: unknown, request: Request) {
  const parsed = credentialsSchema.safeParse(credentials);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;

  let attempt;
  try {
    attempt = await checkAuthAttempt("login", clientIp(request.headers), email);
  } catch (error) {
    if (error instanceof AppError) throw new UnavailableSignIn();
    throw error;
  }
  if (!attempt.allowed) throw new RateLimitedSignIn(attempt.retryAfterSeconds);

  const user = await findUserByEmail(email);
  if (!user?.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  if (user.blockedAt) throw new BlockedSignIn();
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export const { handlers, auth, signIn, signOut } = NextAuth(async (): Promise<NextAuthConfig> => {
  const db = await getDb();
  return {
    secret: authSecret(),
    // Vercel and reverse proxies set the Host header; Auth.js builds its URLs from it.
    trustHost: true,
    // Production always names the session cookie `__Secure-…` (the browser then takes it only
    // over HTTPS, or from localhost), and lib/auth/session-token.ts accepts no other name there.
    useSecureCookies: env.NODE_ENV === "production",
    // Credentials sign-in requires JWT sessions. maxAge is the cookie's; the lifetime from
    // sign-in is enforced on every read (lib/auth/session-token.ts), since Auth.js re-signs it.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login" },
    adapter: DrizzleAdapter(db, { usersTable: users, accountsTable: accounts }),
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        authorize: authorizeWithPassword,
      }),
      ...(githubEnabled
        ? [
            GitHub({
              clientId: env.AUTH_GITHUB_ID,
              clientSecret: env.AUTH_GITHUB_SECRET,
              ...(env.AUTH_GITHUB_BASE_URL && { enterprise: { baseUrl: env.AUTH_GITHUB_BASE_URL.replace(/\/$/, "") } }),
              // The account's address is one GitHub has verified, flagged so (events.signIn).
              userinfo: {
                url: `${githubApi}/user`,
                async request({ tokens }: { tokens: { access_token?: string } }) {
                  const headers = { Authorization: `Bearer ${tokens.access_token}`, "User-Agent": "authjs" };
                  const [profile, emails] = await Promise.all([
                    fetch(`${githubApi}/user`, { headers }).then((res) => res.json()),
                    fetch(`${githubApi}/user/emails`, { headers }).then((res) => (res.ok ? res.json() : [])),
                  ]);
                  const email = verifiedGitHubEmail(emails);
                  return { ...profile, email, email_verified: email !== null };
                },
              },
            }),
          ]
        : []),
    ],
    events: {
      // A GitHub sign-up with the address of an account deleted today starts from its usage.
      async createUser({ user }) {
        if (user.id) await inheritTodaysUsage(user.id, user.email);
      },
      // Auth.js creates OAuth users with email_verified null. The provider's verified address
      // proves the account's address only when it IS that address: a GitHub account linked to a
      // password account with another address proves nothing about the password account's.
      async signIn({ user, account, profile }) {
        if (account?.type !== "oauth" || !user.id || !user.email || profile?.email_verified !== true) return;
        if (typeof profile.email !== "string" || normalizeEmail(profile.email) !== normalizeEmail(user.email)) return;
        await markEmailVerified(user.id, user.email);
      },
    },
    callbacks: {
      // OAuth: a blocked user is refused, and so is a link nobody asked for on /account (see
      // mayLink). Password sign-in of a blocked user is refused in authorize.
      async signIn({ account }) {
        if (!account || account.type === "credentials") return true;
        const linkedUserId = await findLinkedUserId(account.provider, account.providerAccountId);
        if (linkedUserId) return !(await findUserById(linkedUserId))?.blockedAt;
        const requestHeaders = await headers();
        const cookieUserId = await cookieSubject(requestHeaders);
        // No cookie: a sign-up (Auth.js refuses it when the address already has an account).
        if (cookieUserId === null) return true;
        return (await mayLink(cookieUserId, requestHeaders)) ? true : LINK_REFUSED_PATH;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        session.user.role = token.role ?? "user";
        return session;
      },
      async jwt({ token, user }) {
        if (user?.id) {
          // Sign-in: the token carries the user's current session version and the sign-in
          // time, and the stored role is kept in step with ADMIN_EMAILS.
          const row = await findUserById(user.id);
          if (!row) return null;
          // The stored role mirrors the rule (lib/auth/roles.ts) for SQL readers; it grants nothing.
          const role = roleFor(row.email, row.emailVerified !== null);
          if (role !== row.role) await setUserRole(row.id, role);
          token.role = role;
          token.sv = row.sessionVersion;
          token.auth_time = Math.floor(Date.now() / 1000);
          return token;
        }
        // Auth.js's session endpoint (GET /api/auth/session) re-signs the cookie with a fresh
        // expiry. It is dropped instead (null: Auth.js answers no session and clears the cookie)
        // past its lifetime from sign-in, and, like every other read, for a revoked, blocked or
        // deleted user: the database decides, not the cookie.
        const claims = sessionClaims(token);
        if (!claims) return null;
        return judgeSession(claims, await findUserById(claims.userId)).user ? token : null;
      },
    },
  };
});
