import "server-only";
import type { Plan } from "@/lib/plans";
import type { SessionUser } from "@/lib/auth/session-user";
import type { GuardContext, PreparedInput } from "../context";

// Steps run in a fixed order; these make a step that runs too early fail loudly.
export function requireUserAndPlan(ctx: GuardContext): { user: SessionUser; plan: Plan } {
  if (!ctx.user || !ctx.plan) throw new Error("guard step ran before the session step");
  return { user: ctx.user, plan: ctx.plan };
}

export function requireInput(ctx: GuardContext): { user: SessionUser; plan: Plan; input: PreparedInput } {
  if (!ctx.input) throw new Error("guard step ran before the input step");
  return { ...requireUserAndPlan(ctx), input: ctx.input };
}
