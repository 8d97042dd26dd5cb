import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader, PageShell } from "@/components/shell/page";
import { Card } from "@/components/ui/card";
import { devMailbox, isDevMailboxKey } from "@/lib/email/dev-mailbox";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Development mailbox" };
export const dynamic = "force-dynamic";

// Development only, with no SMTP_URL: the emails this server would have sent, for whoever holds
// the key the server prints to its console (lib/email/dev-mailbox.ts). 404 for anyone else, in
// production, in tests and whenever mail really goes out.
export default async function DevMailboxPage({ searchParams }: { searchParams: Promise<{ key?: string }> }) {
  if (env.NODE_ENV !== "development" || env.SMTP_URL || !isDevMailboxKey((await searchParams).key)) notFound();
  const messages = devMailbox();
  return (
    <PageShell className="max-w-3xl">
      <PageHeader
        title="Development mailbox"
        description="Emails this development server would have sent, newest first (kept in memory until it restarts)."
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
