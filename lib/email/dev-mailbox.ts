import "server-only";
import type { EmailMessage } from "./message";

// Development without SMTP_URL: sent messages are kept here (in this server process) for the
// /dev/mailbox page, newest first. Never used in production, which refuses to start without SMTP.
const KEEP = 50;
const globalForMailbox = globalThis as unknown as { devMailbox?: Array<EmailMessage & { sentAt: Date }> };

export function keepInDevMailbox(message: EmailMessage): void {
  const box = (globalForMailbox.devMailbox ??= []);
  box.unshift({ ...message, sentAt: new Date() });
  box.length = Math.min(box.length, KEEP);
}

export function devMailbox(): ReadonlyArray<EmailMessage & { sentAt: Date }> {
  return globalForMailbox.devMailbox ?? [];
}
