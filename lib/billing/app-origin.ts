import "server-only";
import { env } from "@/lib/env";

/**
 * The app's public origin, for every link that leaves the app: emailed verification and reset
 * links, Stripe's return URLs. APP_URL (required in production), never a request header: Next
 * accepts an Origin that matches a client-sent X-Forwarded-Host, so a link built from headers
 * could point anywhere the sender of the request likes. Development: this machine.
 */
export function appOrigin(): string {
  if (env.APP_URL) return new URL(env.APP_URL).origin;
  return `http://localhost:${process.env.PORT ?? "3000"}`;
}
