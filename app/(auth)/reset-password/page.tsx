import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/account/password-reset-forms";
import { readUnusedEmailLink } from "@/lib/account/email-links";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  // Only read here (a mail scanner opening the link must not use it up); the form's action claims it.
  const valid = await readUnusedEmailLink("reset-password", token).then(() => true, () => false);
  return (
    <div className="auth-card stack">
      <h1>Choose a new password</h1>
      {valid && token ? (
        <ResetPasswordForm token={token} passwordMinLength={PASSWORD_MIN_LENGTH} />
      ) : (
        <p className="form-error" role="alert">
          This link is invalid, expired or already used. <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </div>
  );
}
