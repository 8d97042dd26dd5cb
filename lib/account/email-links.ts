import "server-only";
import { findUserById, type UserRecord } from "@/db/queries/users";
import { authSecret } from "@/lib/auth/dev-secret";
import { AppError } from "@/lib/errors";
import { redis, redisKey } from "@/lib/redis";
import { emailLinkIsValid, emailLinkKey, parseEmailLink, signEmailLink, type EmailLinkPurpose } from "./email-link-codec";

let key: Buffer | undefined;
function linkKey(): Buffer {
  const secret = authSecret();
  if (!secret) throw new Error("AUTH_SECRET is required to sign email links");
  return (key ??= emailLinkKey(secret));
}

export type LinkRecipient = { id: string; email: string; passwordHash?: string | null };

/** What a link is bound to besides the address: a reset link, to the password it replaces. */
const linkState = (purpose: EmailLinkPurpose, user: LinkRecipient) => (purpose === "reset-password" ? (user.passwordHash ?? "none") : "");

export function createEmailLinkToken(purpose: EmailLinkPurpose, user: LinkRecipient): string {
  return signEmailLink(linkKey(), purpose, user.id, user.email, undefined, linkState(purpose, user));
}

const invalidLink = () => new AppError("invalid_link", { message: "This link is invalid, expired or already used. Ask for a new one." });

/** The user a link names, when it is genuine and unexpired; it is not used up (a page can show a form). */
export async function readEmailLink(purpose: EmailLinkPurpose, token: unknown): Promise<UserRecord> {
  const link = parseEmailLink(token);
  const user = link ? await findUserById(link.userId) : null;
  if (!link || !user?.email) throw invalidLink();
  if (!emailLinkIsValid(linkKey(), purpose, link, user.email, undefined, linkState(purpose, { ...user, email: user.email })))
    throw invalidLink();
  return user;
}

const nonceKey = (purpose: EmailLinkPurpose, nonce: string) => redisKey("email-link", purpose, nonce);

/** Like readEmailLink, and refused once used: for a page that offers a form for the link. */
export async function readUnusedEmailLink(purpose: EmailLinkPurpose, token: unknown): Promise<UserRecord> {
  const user = await readEmailLink(purpose, token);
  let used: number;
  try {
    used = await redis.exists(nonceKey(purpose, parseEmailLink(token)!.nonce));
  } catch (cause) {
    throw new AppError("service_unavailable", { cause });
  }
  if (used) throw invalidLink();
  return user;
}

/** Like readEmailLink, and uses the link up: a second use, or a parallel one, is refused. */
export async function claimEmailLink(purpose: EmailLinkPurpose, token: unknown): Promise<UserRecord> {
  const user = await readEmailLink(purpose, token);
  const link = parseEmailLink(token)!;
  const ttl = Math.max(1, link.expiresAt - Math.floor(Date.now() / 1000));
  let claimed: unknown;
  try {
    claimed = await redis.set(nonceKey(purpose, link.nonce), "1", { nx: true, ex: ttl });
  } catch (cause) {
    throw new AppError("service_unavailable", { cause }); // no proof of first use: refuse
  }
  if (claimed === null) throw invalidLink();
  return user;
}
