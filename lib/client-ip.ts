// The client's IP for per-IP limits and the (hashed) audit column. Vercel and most proxies
// overwrite x-real-ip / x-forwarded-for. Behind no proxy a client can set them itself, so
// self-hosting needs a proxy that does (README); per-email and per-user limits do not rely on it.
export function clientIp(headers: Headers): string {
  const realIp = headers.get("x-real-ip")?.trim();
  if (realIp) return realIp;
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}
