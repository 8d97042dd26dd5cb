import { CheckIcon } from "lucide-react";
import type { Plan } from "@/lib/plans";

const number = (value: number) => value.toLocaleString("en-US");

/** What a plan gives, in a buyer's words; every number read from lib/plans.ts. */
export function planFeatures(plan: Plan): string[] {
  const best = plan.models.at(-1) ?? "";
  return [
    `${number(plan.requestsPerDay)} requests a day`,
    `Messages up to ${number(plan.maxInputChars)} characters`,
    `Replies up to about ${number(Math.round(plan.maxOutputTokens * 0.75))} words`,
    plan.models.length > 1 ? `Our best model (${best}) and the fast one` : `The fast model (${best})`,
    `Up to ${number(plan.requestsPerMinute)} requests a minute`,
    `${number(plan.tokensPerDay)} tokens a day`,
  ];
}

export function PlanLimits({ plan }: { plan: Plan }) {
  return (
    <ul className="grid gap-2.5 text-sm">
      {planFeatures(plan).map((feature) => (
        <li key={feature} className="flex gap-2">
          <CheckIcon className="size-4 shrink-0 translate-y-0.5 text-primary" aria-hidden />
          {feature}
        </li>
      ))}
    </ul>
  );
}
