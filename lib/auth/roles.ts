import "server-only";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";

const adminEmails = new Set(
  (env.ADMIN_EMAILS ?? "")
    .split(",")
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean),
);

/**
 * Admin exactly when the address is in ADMIN_EMAILS *and* proven (a verification link, or an
 * OAuth provider that reports it verified). Nothing stored grants it, so removing an address
 * from ADMIN_EMAILS demotes at once, and signing up first with a listed address proves nothing.
 */
export function roleFor(email: string | null | undefined, emailVerified: boolean): Role {
  return emailVerified && email && adminEmails.has(email.toLowerCase()) ? "admin" : "user";
}
