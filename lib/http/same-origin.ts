// Route handlers get no CSRF check from Next (server actions do). A browser always sends
// Origin on a cross-site POST, so a foreign or "null" Origin is refused. No Origin at all
// means a non-browser client, which still needs the session cookie.
export function isSameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin === null) return true;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false; // "null" (sandboxed frames, file://) or garbage
  }
}
