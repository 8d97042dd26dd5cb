"use client";

import { useActionState } from "react";
import { openBillingPortalAction } from "@/app/account/billing-actions";
import { FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

export function ManageBillingButton() {
  const [state, formAction] = useActionState(openBillingPortalAction, null);
  return (
    <form action={formAction} className="grid gap-2">
      {state && !state.ok && <FormMessage tone="error">{state.error.message}</FormMessage>}
      <SubmitButton variant="outline" pendingText="Opening billing…">
        Manage billing
      </SubmitButton>
    </form>
  );
}
