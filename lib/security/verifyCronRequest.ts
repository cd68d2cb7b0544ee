import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "../config.js";
import { ClientError } from "../errors/index.js";

/**
 * Checks that a request comes from Vercel Cron, which sends `Authorization: Bearer $CRON_SECRET`.
 * Without a CRON_SECRET the endpoint is open outside production (local dev host) and closed in
 * production. Compares digests in constant time so the secret cannot be guessed byte by byte.
 */
export function verifyCronRequest(
  request: Request,
  options: { secret?: string; production?: boolean } = {},
): void {
  const config = getConfig();
  const secret = "secret" in options ? options.secret : config.CRON_SECRET;
  const production = options.production ?? config.NODE_ENV === "production";
  if (!secret) {
    if (production) throw new ClientError("unauthorized", "CRON_SECRET is not configured");
    return;
  }
  const sent = request.headers.get("authorization") ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  if (!timingSafeEqual(digest(sent), digest(`Bearer ${secret}`))) {
    throw new ClientError("unauthorized", "Cron requests must carry the CRON_SECRET");
  }
}
