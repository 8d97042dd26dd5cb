// `next build` with a sentinel value in every server secret (see tests/support/sentinels.ts),
// so the security tests can prove none of them reaches the client bundle. After a good build it
// stamps .next/ with the build id and the sentinels it was made with: the scan of the client
// files proves something only for a build made with them (tests/security/client-secrets.spec.ts).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { BASE_DATABASE_URL, productionServerEnv, SENTINEL_BUILD_STAMP, SENTINELS } from "../support/sentinels";
import { fakeGitHubUrl } from "./database";

const env = productionServerEnv(BASE_DATABASE_URL, { githubBaseUrl: fakeGitHubUrl() });
// BUILT_FOR_TESTS=1 makes this a build for tests (lib/env.ts, isTestBuild): only it accepts the loopback fakes.
const result = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, ...env, BUILT_FOR_TESTS: "1" } });
if (result.status === 0) {
  const buildId = readFileSync(".next/BUILD_ID", "utf8").trim();
  const present = Object.fromEntries(
    Object.entries(SENTINELS).filter(([, value]) => Object.values(env).some((set) => set.includes(value))),
  );
  writeFileSync(SENTINEL_BUILD_STAMP, JSON.stringify({ buildId, sentinels: present }, null, 2));
}
process.exit(result.status ?? 1);
