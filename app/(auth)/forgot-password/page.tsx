import type { Metadata } from "next";
import Link from "next/link";
import { ForgotPasswordForm } from "@/components/account/password-reset-forms";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <div className="auth-card stack">
      <h1>Forgot your password?</h1>
      <p className="hint">Enter your account&apos;s email and we will send a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p className="hint">
        <Link href="/login">Back to log in</Link>
      </p>
    </div>
  );
}
