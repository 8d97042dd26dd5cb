// Resolved against a stand-in origin: whatever the browser would make of the value, the
// result must stay on that origin. Only the path, query and hash are kept.
const APP_ORIGIN = "https://app.invalid";

/**
 * Only same-origin paths may be a post-login destination ("/chat", never "//evil.example").
 * Control characters and backslashes are refused outright: browsers drop tabs and newlines and
 * read "\" as "/", which turns "/\t/evil.example" or "/\\evil.example" into another host.
 */
export function safeNextPath(value: unknown, fallback = "/chat"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2048) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, APP_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== APP_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "//" at the start of the result would again be read as a host by the browser.
  return path.startsWith("//") ? fallback : path;
}
