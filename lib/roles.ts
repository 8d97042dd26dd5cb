import "server-only";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";

const adminEmails = new Set(
  (env.ADMIN_EMAILS ?? "")
    .split(",")
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean),
);

/** ADMIN_EMAILS wins over the stored role, so an admin is made by configuration alone. */
export function roleFor(email: string | null | undefined, storedRole: Role): Role {
  return email && adminEmails.has(email.toLowerCase()) ? "admin" : storedRole;
}
