"use client";

import { useActionState } from "react";
import { startCheckoutAction } from "@/app/pricing/actions";
import { FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

type UpgradeButtonProps = { planId: string; planName: string; attempt: string };

export function UpgradeButton({ planId, planName, attempt }: UpgradeButtonProps) {
  const [state, formAction] = useActionState(startCheckoutAction, null);
  return (
    <form action={formAction} className="grid gap-2">
      <input type="hidden" name="planId" value={planId} />
      <input type="hidden" name="attempt" value={attempt} />
      {state && !state.ok && <FormMessage tone="error">{state.error.message}</FormMessage>}
      <SubmitButton className="w-full" pendingText="Opening checkout…">
        Upgrade to {planName}
      </SubmitButton>
    </form>
  );
}
