import type { Plan } from "@/lib/plans";

const number = (value: number) => value.toLocaleString("en-US");

/** A plan's limits, all read from lib/plans.ts. */
export function PlanLimits({ plan }: { plan: Plan }) {
  return (
    <ul className="plan-limits">
      <li>{number(plan.requestsPerDay)} requests per day</li>
      <li>{number(plan.tokensPerDay)} tokens per day</li>
      <li>{number(plan.requestsPerMinute)} requests per minute</li>
      <li>Messages up to {number(plan.maxInputChars)} characters</li>
      <li>Models: {plan.models.join(", ")}</li>
    </ul>
  );
}
