import { CircleAlertIcon, CircleCheckIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { EmailVerificationNotice } from "@/components/account/email-verification";
import { AuthCard } from "@/components/auth/auth-card";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { getSessionUser } from "@/lib/auth/session-user";
import { safeNextPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Confirm your email" };

const STATUS = {
  // After sign-up, whether the address was new or taken (the owner of a taken one is emailed).
  sent: "Check your inbox: we sent an email to the address you entered. Open its link to confirm the address, then log in.",
  verified: "Your email address is confirmed. The chat and tools are open to you.",
  invalid: "This link is invalid, expired or already used. Send yourself a new one below.",
  unavailable: "We could not check the link just now. Please open it again in a minute.",
} as const;

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ status?: string; next?: string }> }) {
  const { status, next } = await searchParams;
  const user = await getSessionUser();
  const message = status && status in STATUS ? STATUS[status as keyof typeof STATUS] : null;
  return (
    <AuthCard title="Confirm your email">
      {message && (
        <Alert
          variant={status === "verified" || status === "sent" ? "success" : "destructive"}
          role="status"
          data-testid="verify-email-status"
        >
          {status === "verified" || status === "sent" ? <CircleCheckIcon aria-hidden /> : <CircleAlertIcon aria-hidden />}
          <AlertDescription className="text-foreground/80">{message}</AlertDescription>
        </Alert>
      )}
      {user?.email && !user.emailVerified && <EmailVerificationNotice email={user.email} />}
      {!user && (status === "sent" || status === "verified") && (
        <Link href={`/login?next=${encodeURIComponent(safeNextPath(next))}`} className={buttonVariants({ className: "w-full" })}>
          Log in
        </Link>
      )}
      {!user && status !== "sent" && status !== "verified" && (
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
