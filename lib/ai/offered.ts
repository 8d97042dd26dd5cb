import "server-only";
import type { Plan } from "@/lib/plans";
import { catalogueEntry, type ModelEntry, type Provider } from "./catalogue";
import { isDemoModel, isProviderOn } from "./provider";

// The models a plan offers right now: what the chat's picker lists and the one list the guard
// checks a chosen model against (lib/guard/steps/lookup.ts). A plan lists models by catalogue id
// (lib/plans.ts, cheapest → best); one whose provider has no key is left out, so nobody can pick
// a model the server cannot call.

/**
 * A rough price class for people choosing, from the catalogue's base prices: the blended price
 * per million tokens, three parts uncached input to one part output (a chat turn sends its whole
 * history and gets a shorter answer back). Under $0.50 is "$", under $3 is "$$", else "$$$".
 * GPT-4.1 nano is "$", GPT-4.1 mini and Claude Haiku 4.5 are "$$", Claude Sonnet 4.5 is "$$$".
 */
export type PriceClass = "$" | "$$" | "$$$";

export function priceClassOf(entry: ModelEntry): PriceClass {
  const blended = (3 * entry.prices.uncachedInput + entry.prices.output) / 4;
  if (blended < 0.5) return "$";
  if (blended < 3) return "$$";
  return "$$$";
}

export type OfferedModel = { id: string; displayName: string; provider: Provider; priceClass: PriceClass };

/**
 * The plan's models whose provider is on, in the plan's order. In demo mode (development without
 * a key) every model of the plan is offered, as before: the labelled demo model answers for all.
 */
export function modelsOffered(plan: Plan): OfferedModel[] {
  const demo = isDemoModel();
  return plan.models
    .map((id) => catalogueEntry(id))
    .filter((entry) => demo || isProviderOn(entry.provider))
    .map((entry) => ({ id: entry.id, displayName: entry.displayName, provider: entry.provider, priceClass: priceClassOf(entry) }));
}

export function isModelOffered(plan: Plan, model: string): boolean {
  return modelsOffered(plan).some((offered) => offered.id === model);
}

/** The model used when none is chosen: the best one the plan offers now (its list goes cheapest → best). */
export function defaultModelFor(plan: Plan): string | undefined {
  return modelsOffered(plan).at(-1)?.id;
}
