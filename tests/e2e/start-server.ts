// Playwright's web server: a fresh database for this run, the fake Stripe (the app's Stripe SDK
// is pointed at it), then `next start` on the production build with the sentinel secrets. The
// database is dropped when the server stops.
import IORedis from "ioredis";
import { createRequester, ioredisOptions } from "../../lib/redis/requester";
import { startUpstashRestServer } from "../fakes/upstash-rest-server";
import { startFakeStripe } from "../fakes/stripe-server";
import { startFakeOpenAI } from "../fakes/openai-server";
import { startFakeSmtp } from "../fakes/smtp-server";
import { startFakeGitHub } from "../fakes/github-server";
import { BASE_DATABASE_URL, fakeSmtpPorts, productionServerEnv, SENTINELS } from "../support/sentinels";
import { startNextServer, type NextServer } from "../support/next-server";
import { createRunDatabase } from "../support/test-database";
import { e2eDatabaseName, fakeGitHubUrl, fakeOpenAIPort, upstashRestPort } from "./database";

const port = process.env.E2E_PORT ?? "3100";
const database = await createRunDatabase(BASE_DATABASE_URL, e2eDatabaseName());
const fakeStripe = await startFakeStripe(Number(process.env.E2E_FAKE_STRIPE_PORT ?? Number(port) + 3));
// The model is a fake OpenAI server in this process; tests read its counters over HTTP.
const fakeOpenAI = await startFakeOpenAI({ port: fakeOpenAIPort() });
// Email goes to a real SMTP server here (productionServerEnv points SMTP_URL at it); tests read
// the received messages over HTTP.
const fakeSmtp = await startFakeSmtp({
  port: fakeSmtpPorts().smtp,
  controlPort: fakeSmtpPorts().control,
  password: SENTINELS.SMTP_PASSWORD,
});
// GitHub sign-in goes to a fake GitHub (OAuth and API) in this process.
const fakeGitHub = await startFakeGitHub({ port: Number(new URL(fakeGitHubUrl()).port), clientSecret: SENTINELS.AUTH_GITHUB_SECRET });
// E2E_REDIS=upstash: the app reaches Redis only through the Upstash REST protocol, as on Vercel
// (tests/fakes/upstash-rest-server.ts, backed by the real Redis); REDIS_URL is blanked for it.
const upstash = process.env.E2E_REDIS === "upstash" ? await startUpstashFront() : undefined;
async function startUpstashFront() {
  const tcp = new IORedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", ioredisOptions);
  const rest = await startUpstashRestServer(
    createRequester(tcp, { translateEvalsha: false }),
    SENTINELS.UPSTASH_REDIS_REST_TOKEN,
    upstashRestPort(),
  );
  return { url: rest.url, close: async () => (await rest.close(), tcp.disconnect()) };
}

let server: NextServer | undefined;
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await server?.stop();
  await fakeStripe.stop().catch(() => {});
  await fakeOpenAI.close();
  await fakeSmtp.close();
  await fakeGitHub.close();
  await upstash?.close();
  await database.drop().catch((error) => console.error("could not drop the e2e database", error));
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
try {
  server = await startNextServer(
    Number(port),
    {
      ...process.env,
      ...productionServerEnv(database.url, { stripeApiBase: fakeStripe.url, githubBaseUrl: fakeGitHub.url }),
      REDIS_KEY_PREFIX: `e2e${Date.now().toString(36)}`,
      OPENAI_BASE_URL: fakeOpenAI.url,
      OPENAI_TIMEOUT_MS: "2000",
      ...(upstash && { REDIS_URL: "", UPSTASH_REDIS_REST_URL: upstash.url }),
    },
    { output: "inherit", ownProcessGroup: false, timeoutMs: 110_000 },
  );
} catch (error) {
  console.error(error);
  await stop(1);
}
server?.child.on("exit", (code) => void stop(code ?? 1));
