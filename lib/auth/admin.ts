import "server-only";
import { notFound, redirect } from "next/navigation";
import { getSessionUser, type SessionUser } from "@/lib/auth/session-user";

/**
 * Every /admin page calls this itself (a layout's check does not stop its page from rendering).
 * Not "forbidden": to anyone but an admin the console does not exist.
 */
export async function requireAdminPage(path: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (user.role !== "admin") notFound();
  return user;
}

/** For route handlers under /admin: the admin, or null (answer 404). */
export async function adminOrNull(): Promise<SessionUser | null> {
  const user = await getSessionUser();
  return user?.role === "admin" ? user : null;
}
