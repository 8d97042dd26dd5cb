"use client";

import { useActionState } from "react";
import { changePasswordAction } from "@/app/account/actions";
import { Field, FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

export function ChangePasswordForm({ passwordMinLength }: { passwordMinLength: number }) {
  const [state, formAction] = useActionState(changePasswordAction, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={formAction} className="grid max-w-sm gap-4" noValidate>
      <Field
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        errors={error?.fieldErrors?.currentPassword}
      />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${passwordMinLength} characters.`}
        errors={error?.fieldErrors?.newPassword}
      />
      {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
      <div>
        <SubmitButton pendingText="Saving…">Change password</SubmitButton>
      </div>
    </form>
  );
}
