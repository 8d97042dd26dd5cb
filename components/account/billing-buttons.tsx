"use client";

import { useActionState } from "react";
import { openBillingPortalAction } from "@/app/account/billing-actions";
import { SubmitButton } from "@/components/ui/submit-button";

export function ManageBillingButton() {
  const [state, formAction] = useActionState(openBillingPortalAction, null);
  return (
    <form action={formAction}>
      {state && !state.ok && (
        <p className="form-error" role="alert">
          {state.error.message}
        </p>
      )}
      <SubmitButton pendingText="Opening billing…">Manage billing</SubmitButton>
    </form>
  );
}
