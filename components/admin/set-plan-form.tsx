"use client";

import { useActionState } from "react";
import { setUserPlanAction } from "@/app/admin/actions";

type SetPlanFormProps = { userId: string; email: string; currentPlanId: string; plans: Array<{ id: string; name: string }> };

export function SetPlanForm({ userId, email, currentPlanId, plans }: SetPlanFormProps) {
  const [state, formAction, pending] = useActionState(setUserPlanAction, null);
  return (
    <form action={formAction} className="inline-form">
      <input type="hidden" name="userId" value={userId} />
      <select name="plan" defaultValue={currentPlanId} aria-label={`Plan for ${email}`}>
        {plans.map((plan) => (
          <option key={plan.id} value={plan.id}>
            {plan.name}
          </option>
        ))}
      </select>
      <button type="submit" className="button secondary" disabled={pending}>
        Set plan
      </button>
      {state && !state.ok && (
        <span className="form-error" role="alert">
          {state.error.message}
        </span>
      )}
    </form>
  );
}
