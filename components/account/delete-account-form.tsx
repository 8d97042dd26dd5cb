"use client";

import { useActionState } from "react";
import { deleteAccountAction } from "@/app/account/billing-actions";
import { Field } from "@/components/ui/field";

export function DeleteAccountForm({ confirmation, hasPassword }: { confirmation: string; hasPassword: boolean }) {
  const [state, formAction, pending] = useActionState(deleteAccountAction, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={formAction} className="form" noValidate>
      <Field
        name="confirmation"
        label={`Type ${confirmation} to delete your account`}
        autoComplete="off"
        hint="This cancels your subscription at once and deletes your conversations and usage history."
        errors={error?.fieldErrors?.confirmation}
      />
      {hasPassword && (
        <Field
          name="currentPassword"
          id="delete-account-password"
          label="Confirm with your password"
          type="password"
          autoComplete="current-password"
          errors={error?.fieldErrors?.currentPassword}
        />
      )}
      {error && !error.fieldErrors && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <button type="submit" className="button danger" disabled={pending} aria-busy={pending}>
        {pending ? "Deleting…" : "Delete account"}
      </button>
    </form>
  );
}
