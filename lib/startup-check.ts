import "server-only";
import { env, productionProblems } from "@/lib/env";

export function refuseUnsafeProductionStart(): void {
  const problems = productionProblems(env);
  if (problems) {
    console.error(`\n${problems}\n`);
    process.exit(1);
  }
  if (env.NODE_ENV === "production" && env.TRUSTED_PROXY === "none") {
    console.warn("[startup] TRUSTED_PROXY=none: no client address is known, so per-IP limits are off; per-user and per-email limits hold.");
  }
  if (env.NODE_ENV === "production" && env.DAILY_BUDGET_USD === "off") {
    console.warn("[startup] DAILY_BUDGET_USD=off: no global daily spend cap. Model spend is limited only per user.");
  }
}
