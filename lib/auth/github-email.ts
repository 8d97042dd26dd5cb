// GitHub reports which of a user's addresses it has verified (GET /user/emails). Auth.js's
// provider takes the public or primary address without asking; we take a verified one and
// say so, so an OAuth account needs no link only when GitHub vouches for the address.

export type GitHubEmail = { email: string; primary: boolean; verified: boolean };

/** The primary verified address, else any verified one; null when GitHub has verified none. */
export function verifiedGitHubEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const verified = (emails as GitHubEmail[]).filter((entry) => entry?.verified === true && typeof entry.email === "string");
  return (verified.find((entry) => entry.primary) ?? verified[0])?.email.toLowerCase() ?? null;
}
