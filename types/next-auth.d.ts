import type { DefaultSession } from "next-auth";
import type { Role } from "@/db/schema";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: Role } & DefaultSession["user"];
  }
  interface User {
    role?: Role;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    role?: Role;
    /** The user's session_version at sign-in (lib/auth/session-token.ts). */
    sv?: number;
    /** Sign-in time in seconds: a session lasts SESSION_MAX_AGE_SECONDS from it. */
    auth_time?: number;
  }
}
