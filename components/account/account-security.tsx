"use client";

import { useActionState } from "react";
import { logOutEverywhereAction } from "@/app/account/actions";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SubmitButton } from "@/components/ui/submit-button";

/** Password change (signs out every other device) and "Log out everywhere". */
export function AccountSecurity({ hasPassword, passwordMinLength }: { hasPassword: boolean; passwordMinLength: number }) {
  const [state, formAction] = useActionState(logOutEverywhereAction, null);
  return (
    <div className="stack">
      {hasPassword ? (
        <ChangePasswordForm passwordMinLength={passwordMinLength} />
      ) : (
        <p className="hint">This account signs in with GitHub and has no password.</p>
      )}
      <form action={formAction} className="form">
        <p className="hint">Lost a device, or signed in somewhere you should not have? This ends every session, this one too.</p>
        {state && !state.ok && (
          <p className="form-error" role="alert">
            {state.error.message}
          </p>
        )}
        <SubmitButton pendingText="Logging out…">Log out everywhere</SubmitButton>
      </form>
    </div>
  );
}
