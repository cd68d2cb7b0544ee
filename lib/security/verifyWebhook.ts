import { createHash, timingSafeEqual } from "node:crypto";
import { getCache } from "../cache/index.js";
import type { Cache } from "../cache/types.js";
import { getConfig } from "../config.js";
import { ClientError, ServiceUnavailableError } from "../errors/index.js";
import { readBodyText } from "../http/validate.js";
import { WEBHOOK_HEADERS, webhookDigest } from "./signWebhook.js";

export { signWebhook, WEBHOOK_HEADERS, webhookHeaders } from "./signWebhook.js";

export interface VerifyWebhookParameters {
  /** Shared secret (WEBHOOK_SECRET). Missing → 503: an unconfigured receiver must not accept anything. */
  secret: string | undefined;
  /** Where seen event ids are remembered; defaults to the process cache. */
  cache?: Cache;
  /** Accepted clock skew, in seconds, between the signer's timestamp and now. */
  toleranceSeconds?: number;
  /** Body size limit; defaults to MAX_BODY_BYTES. */
  maxBytes?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface VerifyWebhookReturnType<T = unknown> {
  eventId: string;
  body: T;
  /**
   * Forgets this delivery so the sender's retry is accepted. Call it when processing failed for a
   * transient reason (the event was verified but not acted on); never after acting on it.
   */
  forget: () => Promise<void>;
}

const eventIdPattern = /^[\x21-\x7e]{1,200}$/;

function unauthorized(message: string): ClientError {
  return new ClientError("unauthorized", message);
}

/**
 * Verifies a signed webhook: HMAC-SHA256 over `${timestamp}.${rawBody}`, a timestamp within the
 * tolerance, and an event id never seen before. Any failure throws ClientError("unauthorized")
 * so the caller answers 401 and resumes nothing.
 *
 * The event id header is not covered by the signature, so the signature itself is also
 * remembered: a captured delivery replayed under a fresh event id is still rejected.
 */
export async function verifyWebhook<T = unknown>(
  request: Request,
  parameters: VerifyWebhookParameters,
): Promise<VerifyWebhookReturnType<T>> {
  const { secret, toleranceSeconds = 300 } = parameters;
  if (!secret)
    throw new ServiceUnavailableError("Webhook receiver is not configured (WEBHOOK_SECRET)");

  const timestampText = request.headers.get(WEBHOOK_HEADERS.timestamp) ?? "";
  const signatureHeader = request.headers.get(WEBHOOK_HEADERS.signature) ?? "";
  const eventId = request.headers.get(WEBHOOK_HEADERS.eventId) ?? "";
  if (!/^\d{1,12}$/.test(timestampText))
    throw unauthorized(`Missing or malformed ${WEBHOOK_HEADERS.timestamp}`);
  if (!eventIdPattern.test(eventId))
    throw unauthorized(`Missing or malformed ${WEBHOOK_HEADERS.eventId}`);
  const signatures = parseSignatures(signatureHeader);
  if (signatures.length === 0)
    throw unauthorized(`Missing or malformed ${WEBHOOK_HEADERS.signature}`);

  const nowSeconds = Math.floor((parameters.now?.() ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestampText)) > toleranceSeconds) {
    throw unauthorized("Webhook timestamp is outside the accepted window");
  }

  const rawBody = await readBodyText(request, parameters.maxBytes ?? getConfig().MAX_BODY_BYTES);
  const expected = Buffer.from(webhookDigest(secret, rawBody, timestampText), "hex");
  // Compare every candidate (secret rotation may send two) without short-circuiting on content.
  let valid = false;
  for (const candidate of signatures) {
    if (timingSafeEqual(candidate, expected)) valid = true;
  }
  if (!valid) throw unauthorized("Webhook signature does not match");

  let body: T;
  try {
    body = JSON.parse(rawBody) as T;
  } catch {
    throw new ClientError("bad_request", "Webhook body is not valid JSON");
  }

  // Remember for twice the window: a delivery is acceptable for ±tolerance around its timestamp.
  // Fails closed: without the replay memory a captured delivery could be replayed at will, so a
  // store outage answers 503 (the sender retries later) instead of accepting unchecked.
  const ttlSeconds = toleranceSeconds * 2 + 60;
  const signatureKey = `webhook:sig:${expected.toString("hex")}`;
  const eventKey = `webhook:event:${createHash("sha256").update(eventId).digest("hex")}`;
  const remember = async (key: string): Promise<boolean> => {
    try {
      const cache = parameters.cache ?? (await getCache());
      return await cache.set(key, "1", { ttlSeconds, onlyIfAbsent: true });
    } catch (cause) {
      throw new ServiceUnavailableError("Webhook replay memory is unavailable; retry later", {
        cause,
      });
    }
  };
  const firstSignature = await remember(signatureKey);
  if (!firstSignature) throw unauthorized("Webhook delivery was already processed (replay)");
  const firstEvent = await remember(eventKey);
  if (!firstEvent) {
    // Keep the signature marker: this exact delivery stays refused.
    throw unauthorized(`Webhook event ${eventId} was already processed (replay)`);
  }
  return {
    eventId,
    body,
    forget: async () => {
      const cache = parameters.cache ?? (await getCache());
      await cache.delete(signatureKey, eventKey);
    },
  };
}

/** Accepts "v1=<hex>" entries separated by commas (or a bare hex digest); ignores other schemes. */
function parseSignatures(header: string): Buffer[] {
  if (header.length > 1024) return [];
  const out: Buffer[] = [];
  for (const part of header.split(",")) {
    const item = part.trim();
    const hex = item.startsWith("v1=") ? item.slice(3) : item;
    if (/^[0-9a-fA-F]{64}$/.test(hex)) out.push(Buffer.from(hex, "hex"));
  }
  return out;
}
