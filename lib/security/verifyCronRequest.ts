import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "../config.js";
import { ClientError } from "../errors/index.js";

/**
 * Checks that a request comes from Vercel Cron (or the operator's scheduler), which sends
 * `Authorization: Bearer $CRON_SECRET`. Without a CRON_SECRET the endpoint is open only on the
 * devnet (local anvil, nothing real at stake) and closed everywhere else, production or not: the
 * cron wakes runs and moves their bookkeeping, so a self-hosted testnet host must not leave it open.
 * Compares digests in constant time so the secret cannot be guessed byte by byte.
 */
export function verifyCronRequest(
  request: Request,
  options: { secret?: string | undefined; devnet?: boolean } = {},
): void {
  const config = getConfig();
  const secret = "secret" in options ? options.secret : config.CRON_SECRET;
  const devnet = options.devnet ?? config.PAYGENT_NETWORK === "devnet";
  if (!secret) {
    if (devnet) return;
    throw new ClientError("unauthorized", "CRON_SECRET is not configured", {
      metaMessages: ["Set CRON_SECRET; the cron endpoint is open without it on the devnet only."],
    });
  }
  const sent = request.headers.get("authorization") ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  if (!timingSafeEqual(digest(sent), digest(`Bearer ${secret}`))) {
    throw new ClientError("unauthorized", "Cron requests must carry the CRON_SECRET");
  }
}
