import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader, PageShell } from "@/components/shell/page";
import { Card } from "@/components/ui/card";
import { devMailbox } from "@/lib/email/dev-mailbox";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Development mailbox" };
export const dynamic = "force-dynamic";

// Development only: the emails this server would have sent (no SMTP_URL). 404 in production.
export default function DevMailboxPage() {
  if (env.NODE_ENV === "production") notFound();
  const messages = devMailbox();
  return (
    <PageShell className="max-w-3xl">
      <PageHeader
        title="Development mailbox"
        description={
          env.SMTP_URL
            ? "SMTP_URL is set: emails go to your SMTP server, not here."
            : "Emails this development server would have sent, newest first (kept in memory until it restarts)."
        }
      />
      <div className="grid gap-4">
        {messages.length === 0 && <p className="text-muted-foreground">No emails yet.</p>}
        {messages.map((message, index) => (
          <Card key={`${message.sentAt.toISOString()}-${index}`} data-testid="dev-mail" className="px-6">
            <h2 className="font-semibold">{message.subject}</h2>
            <p className="text-sm text-muted-foreground">
              To {message.to} · <time dateTime={message.sentAt.toISOString()}>{message.sentAt.toUTCString()}</time>
            </p>
            <p className="mail-text text-sm">
              {message.text.split(/(https?:\/\/\S+)/).map((part, at) =>
                at % 2 === 1 ? (
                  <a key={at} href={part} className="text-primary underline underline-offset-4">
                    {part}
                  </a>
                ) : (
                  part
                ),
              )}
            </p>
          </Card>
        ))}
      </div>
    </PageShell>
  );
}
