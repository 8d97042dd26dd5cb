"use client";

import { useActionState } from "react";
import { requestPasswordResetAction, resetPasswordAction } from "@/app/(auth)/email-actions";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

export function ForgotPasswordForm() {
  const [state, formAction] = useActionState(requestPasswordResetAction, null);
  const error = state && !state.ok ? state.error : undefined;
  if (state?.ok) {
    return (
      <p className="notice" role="status">
        If an account uses that address, we sent it a link to choose a new password. The link works once, for 30 minutes.
      </p>
    );
  }
  return (
    <form action={formAction} className="form" noValidate>
      <Field name="email" label="Email" type="email" autoComplete="email" required errors={error?.fieldErrors?.email} />
      {error && !error.fieldErrors && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <SubmitButton pendingText="Sending…">Send reset link</SubmitButton>
    </form>
  );
}

export function ResetPasswordForm({ token, passwordMinLength }: { token: string; passwordMinLength: number }) {
  const [state, formAction] = useActionState(resetPasswordAction, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={formAction} className="form" noValidate>
      <input type="hidden" name="token" value={token} />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${passwordMinLength} characters. Every device will be logged out.`}
        errors={error?.fieldErrors?.newPassword}
      />
      {error && !error.fieldErrors && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <SubmitButton pendingText="Saving…">Set new password</SubmitButton>
    </form>
  );
}
