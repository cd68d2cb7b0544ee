import { getConfig } from "../config.js";

/** Inputs of boundedValidBefore. */
export interface BoundedValidBeforeParameters {
  /** What the server allows (x402 maxTimeoutSeconds; servers ask for up to 7 days). */
  maxTimeoutSeconds: number;
  /** Paygent's own bound; defaults to X402_AUTHORIZATION_TTL_SECONDS (600). */
  ttlSeconds?: number | undefined;
  /** Unix seconds; defaults to now. */
  now?: bigint | undefined;
}

/**
 * The validBefore of an authorization Paygent signs: now + the smaller of the server's
 * maxTimeoutSeconds and Paygent's TTL. A payee that keeps the signature instead of settling can
 * use it only this long; after that the chain itself refuses it and the reservation is released.
 */
export function boundedValidBefore(parameters: BoundedValidBeforeParameters): bigint {
  const ttl = BigInt(parameters.ttlSeconds ?? getConfig().X402_AUTHORIZATION_TTL_SECONDS);
  const asked = BigInt(Math.max(0, Math.floor(parameters.maxTimeoutSeconds)));
  const now = parameters.now ?? BigInt(Math.floor(Date.now() / 1000));
  return now + (asked < ttl ? asked : ttl);
}
