import "server-only";
import { headers } from "next/headers";
import { env } from "@/lib/env";

/**
 * Where Stripe sends people back to. APP_URL when set; otherwise the Origin of the server
 * action's request, which Next has already checked against the Host (its CSRF check).
 */
export async function appOrigin(): Promise<string> {
  if (env.APP_URL) return new URL(env.APP_URL).origin;
  const requestHeaders = await headers();
  const origin = requestHeaders.get("origin");
  if (origin && origin !== "null") return new URL(origin).origin;
  const host = requestHeaders.get("host") ?? "localhost:3000";
  return `${env.NODE_ENV === "production" ? "https" : "http"}://${host}`;
}
