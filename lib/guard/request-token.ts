import "server-only";
import { authSecret } from "@/lib/auth/dev-secret";
import { AppError } from "@/lib/errors";
import { redis, redisKey } from "@/lib/redis";
import { requestTokenKey, signRequestToken, verifyRequestToken } from "./request-token-codec";

let key: Buffer | undefined;
function tokenKey(): Buffer {
  const secret = authSecret();
  if (!secret) throw new Error("AUTH_SECRET is required to issue request tokens");
  return (key ??= requestTokenKey(secret));
}

/** A fresh token, issued with the page and with every response. */
export function issueRequestToken(userId: string): string {
  return signRequestToken(tokenKey(), userId);
}

/** Verifies the token and claims its nonce once (SET NX EX). A replay finds the nonce taken. */
export async function claimRequestToken(userId: string, token: string): Promise<void> {
  const valid = verifyRequestToken(tokenKey(), userId, token);
  if (!valid) throw new AppError("invalid_request_token");
  const ttl = Math.max(1, valid.expiresAt - Math.floor(Date.now() / 1000));
  let claimed: unknown;
  try {
    claimed = await redis.set(redisKey("request-nonce", valid.nonce), "1", { nx: true, ex: ttl });
  } catch (cause) {
    throw new AppError("service_unavailable", { cause }); // no Redis, no proof of first use: refuse
  }
  if (claimed === null) throw new AppError("replayed_request");
}
