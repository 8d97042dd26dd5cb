import { CircleAlertIcon, CircleCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmailVerificationNotice } from "@/components/account/email-verification";
import { AuthCard } from "@/components/auth/auth-card";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { getSessionUser } from "@/lib/auth/session-user";

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
    <AuthCard title="Confirm your email">
      {message && (
        <Alert variant={status === "verified" ? "success" : "destructive"} role="status" data-testid="verify-email-status">
          {status === "verified" ? <CircleCheckIcon aria-hidden /> : <CircleAlertIcon aria-hidden />}
          <AlertDescription className="text-foreground/80">{message}</AlertDescription>
        </Alert>
      )}
      {user?.email && !user.emailVerified && <EmailVerificationNotice email={user.email} />}
      {!user && (
        <p className="text-sm text-muted-foreground">
          <Link href="/login?next=/verify-email" className="font-medium text-primary underline-offset-4 hover:underline">
            Log in
          </Link>{" "}
          to send a new link.
        </p>
      )}
      {user?.emailVerified && (
        <Link href="/chat" prefetch={false} className={buttonVariants({ className: "w-full" })}>
          Open the chat
        </Link>
      )}
    </AuthCard>
  );
}
