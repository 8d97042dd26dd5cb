import "server-only";
import { AppError } from "@/lib/errors";
import type { GuardContext } from "../context";
import { verifiedRequestToken } from "../request-token";

/**
 * The body, read and strictly parsed (unknown fields such as model, role, system prompt,
 * history, tier or price are refused, not ignored), and the one-time token's signature: all
 * CPU, so bad input is refused before any Postgres or Redis I/O. The plan's limits wait for
 * the plan (the lookup step).
 */
export async function parseInput(ctx: GuardContext): Promise<void> {
  if (ctx.readRaw) ctx.raw = await ctx.readRaw();
  const request = ctx.feature.parse(ctx.raw);
  if (!ctx.claims) throw new Error("guard step ran before the session step");
  const requestToken = verifiedRequestToken(ctx.claims.userId, request.token);
  if (!requestToken) throw new AppError("invalid_request_token");
  ctx.request = request;
  ctx.requestToken = requestToken;
}
