/**
 * The caller's IP address as the platform reports it, or "unknown". On Vercel both x-real-ip and
 * x-forwarded-for are set by the edge (client-sent values are overwritten); the dev host sets them
 * from the socket. Anything that does not look like an IP is ignored so it cannot mint new buckets.
 */
export function clientIp(request: Request): string {
  const candidates = [
    request.headers.get("x-real-ip"),
    request.headers.get("x-forwarded-for")?.split(",")[0],
  ];
  for (const candidate of candidates) {
    const value = candidate?.trim().toLowerCase();
    if (value && /^[0-9a-f:.]{2,45}$/.test(value) && /[0-9]/.test(value)) return value;
  }
  return "unknown";
}
