import type { NextAuthConfig } from "next-auth";
import { authSecret } from "@/lib/dev-auth-secret";

// The part of the Auth.js configuration that needs no database, shared by proxy.ts (which
// only reads the session cookie) and lib/auth.ts (which adds the adapter and providers).
export const authConfig = {
  secret: authSecret(),
  // Vercel and reverse proxies set the Host header; Auth.js builds its URLs from it.
  trustHost: true,
  session: { strategy: "jwt" }, // Credentials sign-in requires JWT sessions
  pages: { signIn: "/login" },
  providers: [],
  callbacks: {
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.user.role = token.role ?? "user";
      return session;
    },
  },
} satisfies NextAuthConfig;
