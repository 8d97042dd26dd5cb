import "server-only";
import { createHash, createHmac } from "node:crypto";
import { authSecret } from "@/lib/auth/dev-secret";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Sent to the provider as `safety_identifier`: traces abuse to one user without naming them. */
export const safetyIdentifier = (userId: string) => sha256(`safety-identifier:${userId}`);

/** IPs have few possible values, so a plain hash is reversible; a keyed one is not. */
export function hashIp(ip: string): string {
  return createHmac("sha256", `${authSecret() ?? ""}:audit-ip`)
    .update(ip)
    .digest("hex")
    .slice(0, 32);
}

/** An address kept after its account is gone (usage carried over a deletion), not readable back. */
export function hashEmail(email: string): string {
  return createHmac("sha256", `${authSecret() ?? ""}:email`)
    .update(email.trim().toLowerCase())
    .digest("hex");
}
