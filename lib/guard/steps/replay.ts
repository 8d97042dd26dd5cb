import "server-only";
import type { GuardContext } from "../context";
import { claimRequestToken } from "../request-token";
import { requireInput } from "./require";

/** The one-time request token: valid for this user, unexpired, and never seen before. */
export async function checkRequestToken(ctx: GuardContext): Promise<void> {
  const { user, input } = requireInput(ctx);
  await claimRequestToken(user.id, input.token);
}
