import { CircleAlertIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/account/password-reset-forms";
import { AuthCard } from "@/components/auth/auth-card";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { readUnusedEmailLink } from "@/lib/account/email-links";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  // Only read here (a mail scanner opening the link must not use it up); the form's action claims it.
  const valid = await readUnusedEmailLink("reset-password", token).then(
    () => true,
    () => false,
  );
  return (
    <AuthCard title="Choose a new password">
      {valid && token ? (
        <ResetPasswordForm token={token} passwordMinLength={PASSWORD_MIN_LENGTH} />
      ) : (
        <Alert variant="destructive">
          <CircleAlertIcon aria-hidden />
          <AlertTitle>This link cannot be used</AlertTitle>
          <AlertDescription>
            <p>
              This link is invalid, expired or already used.{" "}
              <Link href="/forgot-password" className="font-medium text-primary underline underline-offset-4">
                Ask for a new one
              </Link>
              .
            </p>
          </AlertDescription>
        </Alert>
      )}
    </AuthCard>
  );
}
