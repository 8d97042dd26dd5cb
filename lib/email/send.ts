import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/lib/env";
import { devMailboxKey, keepInDevMailbox } from "./dev-mailbox";
import type { EmailMessage } from "./message";

const DEV_FROM = "AI SaaS Starter <no-reply@localhost>";
let transport: Transporter | undefined;

/**
 * Sends through SMTP_URL (any provider that speaks SMTP: Resend, Postmark, SES, …). Without it,
 * outside production, the message is printed and kept for the /dev/mailbox page, so sign-up
 * works with no configuration. Throws when the SMTP server refuses.
 */
export async function sendEmail(message: EmailMessage): Promise<void> {
  if (!env.SMTP_URL) {
    if (env.NODE_ENV === "production") throw new Error("SMTP_URL is required to send email in production");
    keepInDevMailbox(message);
    console.info(
      `[email] (development, not sent) to ${message.to}: ${message.subject}\n${message.text}\n(all of them: /dev/mailbox?key=${devMailboxKey()})`,
    );
    return;
  }
  transport ??= nodemailer.createTransport(env.SMTP_URL, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  await transport.sendMail({ from: env.EMAIL_FROM ?? DEV_FROM, ...message });
}
