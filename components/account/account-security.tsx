"use client";

import { useActionState } from "react";
import { logOutEverywhereAction } from "@/app/account/actions";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { FormMessage } from "@/components/ui/field";
import { Separator } from "@/components/ui/separator";
import { SubmitButton } from "@/components/ui/submit-button";

/** Password change (signs out every other device) and "Log out everywhere". */
export function AccountSecurity({ hasPassword, passwordMinLength }: { hasPassword: boolean; passwordMinLength: number }) {
  const [state, formAction] = useActionState(logOutEverywhereAction, null);
  return (
    <div className="grid gap-6">
      {hasPassword ? (
        <ChangePasswordForm passwordMinLength={passwordMinLength} />
      ) : (
        <p className="text-sm text-muted-foreground">This account signs in with GitHub and has no password.</p>
      )}
      <Separator />
      <form action={formAction} className="grid justify-items-start gap-3">
        <h3 className="text-sm font-semibold">Sessions</h3>
        <p className="text-sm text-muted-foreground">
          Lost a device, or signed in somewhere you should not have? This ends every session, this one too.
        </p>
        {state && !state.ok && <FormMessage tone="error">{state.error.message}</FormMessage>}
        <SubmitButton variant="outline" pendingText="Logging out…">
          Log out everywhere
        </SubmitButton>
      </form>
    </div>
  );
}
