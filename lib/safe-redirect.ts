/** Only same-site paths may be a post-login destination ("/chat", never "//evil.example"). */
export function safeNextPath(value: unknown, fallback = "/chat"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}
