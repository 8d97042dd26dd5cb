// `next build` with a sentinel value in every server secret (see tests/support/sentinels.ts),
// so the security tests can prove none of them reaches the client bundle.
import { spawnSync } from "node:child_process";
import { BASE_DATABASE_URL, productionServerEnv } from "../support/sentinels";

const result = spawnSync("npx", ["next", "build"], {
  stdio: "inherit",
  env: { ...process.env, ...productionServerEnv(BASE_DATABASE_URL) },
});
process.exit(result.status ?? 1);
