import "server-only";
import { env, productionProblems } from "@/lib/env";

export function refuseUnsafeProductionStart(): void {
  const problems = productionProblems(env);
  if (problems) {
    console.error(`\n${problems}\n`);
    process.exit(1);
  }
}
