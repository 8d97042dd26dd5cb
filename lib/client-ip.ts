// The client's IP for per-IP limits and the (hashed) audit column. Vercel and most proxies
// set x-real-ip / x-forwarded-for; behind no proxy Next fills x-forwarded-for from the socket.
export function clientIp(headers: Headers): string {
  const realIp = headers.get("x-real-ip")?.trim();
  if (realIp) return realIp;
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}
