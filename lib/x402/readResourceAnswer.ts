import type { decodePaymentResponseHeader } from "@x402/core/http";
import { parseBoundedJson } from "../http/parseBoundedJson.js";
import { readBodyCapped } from "../security/readBodyCapped.js";
import { decodeJsonHeader } from "./decodeJsonHeader.js";
import { parsePaymentRequired } from "./requirements.js";

/** Reading what an x402 server answered: settlement header, refusal reason, bounded body. */

/**
 * The PAYMENT-RESPONSE header, decoded (a malformed one, or one above decodeJsonHeader's size or
 * depth limits, is a protocol error).
 */
export function decodeSettlement(header: string): ReturnType<typeof decodePaymentResponseHeader> {
  return decodeJsonHeader(header, "PAYMENT-RESPONSE") as ReturnType<
    typeof decodePaymentResponseHeader
  >;
}

/** The most specific reason a server gives for refusing a payment. */
export function rejectionReason(
  headers: Headers,
  body: string,
  url: string,
  settlement: ReturnType<typeof decodePaymentResponseHeader> | undefined,
): string | undefined {
  if (settlement && !settlement.success && settlement.errorReason) return settlement.errorReason;
  try {
    const again = parsePaymentRequired({ headers, body, url });
    if (again.error) return again.error;
  } catch {
    // Not a well-formed 402 declaration; fall back to the body.
  }
  try {
    // Its size was capped as it was read (maxBodyBytes); a document too deep gives no reason.
    const parsed = parseBoundedJson(body, { maxBytes: Number.POSITIVE_INFINITY }) as {
      error?: unknown;
      details?: unknown;
    };
    const parts = [parsed.error, parsed.details].filter((part) => typeof part === "string");
    if (parts.length > 0) return parts.join(": ");
  } catch {
    // Not JSON either.
  }
  return undefined;
}

/** Status, bounded text body and content type of an answer. */
export async function readContent(
  response: Response,
  maxBodyBytes: number,
): Promise<{ status: number; body: string; truncated: boolean; contentType: string | null }> {
  const { text, truncated } = await readBody(response, maxBodyBytes);
  return {
    status: response.status,
    body: text,
    truncated,
    contentType: response.headers.get("content-type"),
  };
}

/** Reads at most `limit` bytes and drops the rest, so a huge answer cannot fill a run's row. */
export async function readBody(
  response: Response,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  return readBodyCapped(response, limit);
}
