import type { Metadata } from "next";
import Link from "next/link";
import { EmailVerificationNotice } from "@/components/account/email-verification";
import { getSessionUser } from "@/lib/session";

export const metadata: Metadata = { title: "Confirm your email" };

const STATUS = {
  verified: "Your email address is confirmed. The chat and tools are open to you.",
  invalid: "This link is invalid, expired or already used. Send yourself a new one below.",
  unavailable: "We could not check the link just now. Please open it again in a minute.",
} as const;

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  const { status } = await searchParams;
  const user = await getSessionUser();
  const message = status && status in STATUS ? STATUS[status as keyof typeof STATUS] : null;
  return (
    <div className="auth-card stack">
      <h1>Confirm your email</h1>
      {message && (
        <p className={status === "verified" ? "notice" : "form-error"} role="status" data-testid="verify-email-status">
          {message}
        </p>
      )}
      {user?.email && !user.emailVerified && <EmailVerificationNotice email={user.email} />}
      {!user && (
        <p className="hint">
          <Link href="/login?next=/verify-email">Log in</Link> to send a new link.
        </p>
      )}
      {user?.emailVerified && (
        <p>
          <Link href="/chat" className="button">
            Open the chat
          </Link>
        </p>
      )}
    </div>
  );
}
