import "server-only";
import { redis, redisKey } from "@/lib/redis";

// Auth.js links a new OAuth account to whichever user the request's session cookie names, even a
// revoked one. So linking is allowed only right after "Connect GitHub" on /account, where the user
// proved it is them with a valid session: that action leaves this intent (the session version it
// was made under), and the OAuth callback uses it up once (lib/auth/index.ts, callbacks.signIn).

const LINK_INTENT_SECONDS = 10 * 60;

const intentKey = (userId: string) => redisKey("link-intent", userId);

export async function recordLinkIntent(userId: string, sessionVersion: number): Promise<void> {
  await redis.set(intentKey(userId), String(sessionVersion), { ex: LINK_INTENT_SECONDS });
}

/** True once per recorded intent, and only under the session version it was made with. */
export async function consumeLinkIntent(userId: string, sessionVersion: number): Promise<boolean> {
  const recorded = await redis.getdel<string | number>(intentKey(userId));
  return recorded !== null && String(recorded) === String(sessionVersion);
}
