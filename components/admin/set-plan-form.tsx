"use client";

import { useActionState } from "react";
import { setUserPlanAction } from "@/app/admin/actions";
import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/native-select";

type SetPlanFormProps = { userId: string; email: string; currentPlanId: string; plans: Array<{ id: string; name: string }> };

export function SetPlanForm({ userId, email, currentPlanId, plans }: SetPlanFormProps) {
  const [state, formAction, pending] = useActionState(setUserPlanAction, null);
  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <NativeSelect name="plan" defaultValue={currentPlanId} aria-label={`Plan for ${email}`} className="h-8 w-28">
        {plans.map((plan) => (
          <option key={plan.id} value={plan.id}>
            {plan.name}
          </option>
        ))}
      </NativeSelect>
      <Button type="submit" size="sm" variant="outline" disabled={pending} aria-busy={pending}>
        Set plan
      </Button>
      {state && !state.ok && (
        <span className="text-sm text-destructive" role="alert">
          {state.error.message}
        </span>
      )}
    </form>
  );
}
