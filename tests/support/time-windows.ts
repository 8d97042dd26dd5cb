// Rate-limit windows (@upstash/ratelimit's sliding and fixed windows) are numbered
// floor(now / 60 s), so a burst that starts a few seconds before a minute ends is split between
// two windows, and what a test counts depends on the clock. A test that counts a burst first
// waits until it has the window to itself.

/**
 * Resolves at once when at least `needMs` of the current minute window is left; otherwise waits
 * for the next window to begin (at most `needMs`).
 */
export async function clearOfMinuteBoundary(needMs: number, windowMs = 60_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left >= needMs) return;
  // A little past the boundary, so the first request is in the new window whatever the rounding.
  await new Promise((resolve) => setTimeout(resolve, left + 50));
}
