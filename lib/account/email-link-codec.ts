import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

// The format of links sent by email (verify an address, reset a password), apart from Redis
// and the database so tests holding the server's secret can forge and check them.
// Token = userId.nonce.expiry.hmac; the HMAC also covers the purpose, the address the link was
// sent to and the account's state for that purpose (for a reset: the current password hash), so a
// reset link cannot verify, a link is void once the address changes, and every reset link dies as
// soon as the password changes (a change, or another reset link used first). Single use is the
// caller's (the nonce is claimed in Redis).

export const EMAIL_LINK_PURPOSES = { "verify-email": 24 * 60 * 60, "reset-password": 30 * 60 } as const;
export type EmailLinkPurpose = keyof typeof EMAIL_LINK_PURPOSES;

/** A key of its own, derived from AUTH_SECRET, so no other use of the secret can forge a link. */
export function emailLinkKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "", "email-link-v1", 32));
}

const mac = (key: Buffer, purpose: EmailLinkPurpose, userId: string, email: string, state: string, nonce: string, expiresAt: number) =>
  createHmac("sha256", key).update(`${purpose}\n${userId}\n${email.toLowerCase()}\n${state}\n${nonce}\n${expiresAt}`).digest("base64url");

export function signEmailLink(
  key: Buffer,
  purpose: EmailLinkPurpose,
  userId: string,
  email: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  state = "",
): string {
  const nonce = randomBytes(16).toString("base64url");
  const expiresAt = nowSeconds + EMAIL_LINK_PURPOSES[purpose];
  return `${userId}.${nonce}.${expiresAt}.${mac(key, purpose, userId, email, state, nonce, expiresAt)}`;
}

export type ParsedEmailLink = { userId: string; nonce: string; expiresAt: number; signature: string };

export function parseEmailLink(token: unknown): ParsedEmailLink | null {
  if (typeof token !== "string" || token.length > 300) return null;
  const [userId, nonce, expiry, signature, ...rest] = token.split(".");
  if (!userId || !nonce || !signature || rest.length > 0 || !expiry || !/^\d{1,12}$/.test(expiry)) return null;
  return { userId, nonce, expiresAt: Number(expiry), signature };
}

/** True when the link was signed for this purpose, user, address and state, and has not expired. */
export function emailLinkIsValid(
  key: Buffer,
  purpose: EmailLinkPurpose,
  link: ParsedEmailLink,
  email: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  state = "",
): boolean {
  const expected = Buffer.from(mac(key, purpose, link.userId, email, state, link.nonce, link.expiresAt));
  const given = Buffer.from(link.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return link.expiresAt > nowSeconds;
}
