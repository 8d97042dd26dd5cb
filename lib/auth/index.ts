import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { z } from "zod";
import { getDb } from "@/db";
import { findUserByEmail, findUserById, markEmailVerified, setUserRole } from "@/db/queries/users";
import { accounts, users } from "@/db/schema";
import { checkAuthAttempt } from "@/lib/auth/attempts";
import { clientIp } from "@/lib/http/client-ip";
import { authSecret } from "@/lib/auth/dev-secret";
import { env } from "@/lib/env";
import { verifiedGitHubEmail } from "@/lib/auth/github-email";
import { AppError } from "@/lib/errors";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { roleFor } from "@/lib/auth/roles";
import { SESSION_MAX_AGE_SECONDS, sessionClaims } from "@/lib/auth/session-token";

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
              // The account's address is one GitHub has verified, flagged so (events.signIn).
              userinfo: {
                url: "https://api.github.com/user",
                async request({ tokens }: { tokens: { access_token?: string } }) {
                  const headers = { Authorization: `Bearer ${tokens.access_token}`, "User-Agent": "authjs" };
                  const [profile, emails] = await Promise.all([
                    fetch("https://api.github.com/user", { headers }).then((res) => res.json()),
                    fetch("https://api.github.com/user/emails", { headers }).then((res) => (res.ok ? res.json() : [])),
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
      // Auth.js creates OAuth users with email_verified null; a provider-verified address counts.
      async signIn({ user, account, profile }) {
        if (account?.type === "oauth" && user.id && user.email && profile?.email_verified === true) {
          await markEmailVerified(user.id, user.email);
        }
      },
    },
    callbacks: {
      // OAuth sign-in of a blocked user is refused here (password sign-in in authorize).
      async signIn({ user }) {
        if (!user.id) return true; // a first OAuth sign-in: no row yet
        const row = await findUserById(user.id);
        return !row?.blockedAt;
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
        // Auth.js's session endpoint re-signs the cookie with a fresh expiry; past the lifetime
        // from sign-in it is dropped instead (every other read refuses it too).
        return sessionClaims(token) ? token : null;
      },
    },
  };
});
