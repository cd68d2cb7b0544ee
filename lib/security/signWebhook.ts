import { createHmac } from "node:crypto";

/** Header names of a signed Paygent webhook. */
export const WEBHOOK_HEADERS = {
  timestamp: "x-paygent-timestamp",
  signature: "x-paygent-signature",
  eventId: "x-paygent-event-id",
} as const;

/** HMAC-SHA256 hex digest of `${timestamp}.${body}`; the shared scheme of signer and verifier. */
export function webhookDigest(secret: string, body: string, timestamp: number | string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/**
 * Signs a webhook body for notifiers and tests. Returns the `x-paygent-signature` value
 * ("v1=<hex>"); send it with `x-paygent-timestamp` (unix seconds) and `x-paygent-event-id`.
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `v1=${webhookDigest(secret, body, timestamp)}`;
}

/** All three headers of a signed webhook delivery, ready for fetch(). */
export function webhookHeaders(parameters: {
  secret: string;
  body: string;
  eventId: string;
  timestamp?: number;
}): Record<string, string> {
  const timestamp = parameters.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(parameters.secret, parameters.body, timestamp),
    [WEBHOOK_HEADERS.eventId]: parameters.eventId,
  };
}
