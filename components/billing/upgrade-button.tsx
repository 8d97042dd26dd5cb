"use client";

import { useActionState } from "react";
import { startCheckoutAction } from "@/app/pricing/actions";
import { SubmitButton } from "@/components/ui/submit-button";

type UpgradeButtonProps = { planId: string; planName: string; attempt: string };

export function UpgradeButton({ planId, planName, attempt }: UpgradeButtonProps) {
  const [state, formAction] = useActionState(startCheckoutAction, null);
  return (
    <form action={formAction} className="form">
      <input type="hidden" name="planId" value={planId} />
      <input type="hidden" name="attempt" value={attempt} />
      {state && !state.ok && (
        <p className="form-error" role="alert">
          {state.error.message}
        </p>
      )}
      <SubmitButton pendingText="Opening checkout…">Upgrade to {planName}</SubmitButton>
    </form>
  );
}
