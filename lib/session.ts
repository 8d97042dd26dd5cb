import "server-only";
import type { Role } from "@/db/schema";
import { auth } from "@/lib/auth";
import { AppError } from "@/lib/errors";

export type SessionUser = { id: string; email: string | null; name: string | null; role: Role };

/** The signed-in user, or null. Every page, action and route checks this itself. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await auth();
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, email: user.email ?? null, name: user.name ?? null, role: user.role };
}

export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthorized");
  return user;
}
