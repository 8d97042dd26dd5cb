import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { EmailMessage } from "./message";

// Development without SMTP_URL: sent messages are kept here (in this server process) for the
// /dev/mailbox page, newest first. Never used in production, which refuses to start without SMTP.
const KEEP = 50;
const globalForMailbox = globalThis as unknown as { devMailbox?: Array<EmailMessage & { sentAt: Date }>; devMailboxKey?: string };

/**
 * The mailbox holds reset links, and `next dev` listens on every interface: the page answers only
 * with this process's key, printed to the developer's console with each message. A Host or
 * X-Forwarded-For header proves nothing (a client sets both), a key only its console shows does.
 */
export function devMailboxKey(): string {
  return (globalForMailbox.devMailboxKey ??= randomBytes(16).toString("hex"));
}

export function isDevMailboxKey(candidate: unknown): boolean {
  const expected = Buffer.from(devMailboxKey());
  const given = Buffer.from(typeof candidate === "string" ? candidate : "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function keepInDevMailbox(message: EmailMessage): void {
  const box = (globalForMailbox.devMailbox ??= []);
  box.unshift({ ...message, sentAt: new Date() });
  box.length = Math.min(box.length, KEEP);
}

export function devMailbox(): ReadonlyArray<EmailMessage & { sentAt: Date }> {
  return globalForMailbox.devMailbox ?? [];
}
