import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { devMailbox } from "@/lib/email/dev-mailbox";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Development mailbox" };
export const dynamic = "force-dynamic";

// Development only: the emails this server would have sent (no SMTP_URL). 404 in production.
export default function DevMailboxPage() {
  if (env.NODE_ENV === "production") notFound();
  const messages = devMailbox();
  return (
    <div className="stack">
      <h1>Development mailbox</h1>
      <p className="hint">
        {env.SMTP_URL
          ? "SMTP_URL is set: emails go to your SMTP server, not here."
          : "Emails this development server would have sent, newest first (kept in memory until it restarts)."}
      </p>
      {messages.length === 0 && <p>No emails yet.</p>}
      {messages.map((message, index) => (
        <article key={`${message.sentAt.toISOString()}-${index}`} className="card" data-testid="dev-mail">
          <h2>{message.subject}</h2>
          <p>
            To {message.to} · <time dateTime={message.sentAt.toISOString()}>{message.sentAt.toUTCString()}</time>
          </p>
          <p className="mail-text">
            {message.text.split(/(https?:\/\/\S+)/).map((part, at) => (at % 2 === 1 ? <a key={at} href={part}>{part}</a> : part))}
          </p>
        </article>
      ))}
    </div>
  );
}
