// Playwright's web server: a fresh database for this run, the fake Stripe (the app's Stripe SDK
// is pointed at it), then `next start` on the production build with the sentinel secrets. The
// database is dropped when the server stops.
import { spawn } from "node:child_process";
import { startFakeStripe } from "../fakes/stripe-server";
import { BASE_DATABASE_URL, productionServerEnv } from "../support/sentinels";
import { createRunDatabase } from "../support/test-database";
import { e2eDatabaseName } from "./database";

const port = process.env.E2E_PORT ?? "3100";
const database = await createRunDatabase(BASE_DATABASE_URL, e2eDatabaseName());
const fakeStripe = await startFakeStripe(Number(process.env.E2E_FAKE_STRIPE_PORT ?? Number(port) + 1));
const server = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", port], {
  stdio: "inherit",
  env: {
    ...process.env,
    ...productionServerEnv(database.url, { stripeApiBase: fakeStripe.url }),
    REDIS_KEY_PREFIX: `e2e${Date.now().toString(36)}`,
  },
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  await fakeStripe.stop().catch(() => {});
  await database.drop().catch((error) => console.error("could not drop the e2e database", error));
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
server.on("exit", (code) => void stop(code ?? 1));
