"use client";

import { MailCheckIcon } from "lucide-react";
import { useActionState } from "react";
import { requestPasswordResetAction, resetPasswordAction } from "@/app/(auth)/email-actions";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Field, FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

export function ForgotPasswordForm() {
  const [state, formAction] = useActionState(requestPasswordResetAction, null);
  const error = state && !state.ok ? state.error : undefined;
  if (state?.ok) {
    return (
      <Alert variant="success" role="status">
        <MailCheckIcon aria-hidden />
        <AlertTitle>Check your inbox</AlertTitle>
        <AlertDescription>
          If an account uses that address, we sent it a link to choose a new password. The link works once, for 30 minutes.
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <form action={formAction} className="grid gap-4" noValidate>
      <Field name="email" label="Email" type="email" autoComplete="email" required errors={error?.fieldErrors?.email} />
      {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
      <SubmitButton className="w-full" pendingText="Sending…">
        Send reset link
      </SubmitButton>
    </form>
  );
}

export function ResetPasswordForm({ token, passwordMinLength }: { token: string; passwordMinLength: number }) {
  const [state, formAction] = useActionState(resetPasswordAction, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={formAction} className="grid gap-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${passwordMinLength} characters. Every device will be logged out.`}
        errors={error?.fieldErrors?.newPassword}
      />
      {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
      <SubmitButton className="w-full" pendingText="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
