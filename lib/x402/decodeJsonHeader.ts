import { JsonLimitError, parseBoundedJson } from "../http/parseBoundedJson.js";
import { X402ProtocolError } from "./errors.js";

/** An x402 header's alphabet, as @x402/core/http checks it before decoding. */
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decoded size of an x402 header's JSON (PAYMENT-REQUIRED, PAYMENT-RESPONSE): the cap of a
 * resource's body (MAX_RESOURCE_BODY_BYTES). Node's fetch refuses response headers above 16 KiB
 * anyway; this bounds a header that did not come over HTTP as well.
 */
export const MAX_HEADER_JSON_BYTES = 64 * 1024;

/**
 * A payee's x402 header (`name` for messages) decoded as @x402/core/http's decodePayment*Header
 * decode it (base64 of UTF-8 JSON), but through parseBoundedJson: a document above
 * MAX_HEADER_JSON_BYTES or nested deeper than MAX_REMOTE_JSON_DEPTH is refused before it is
 * parsed. Anything the header cannot give is an X402ProtocolError, like any malformed x402 answer.
 */
export function decodeJsonHeader(header: string, name: string): unknown {
  let text: string;
  try {
    if (!base64.test(header)) throw new Error(`Invalid ${name} header`);
    const binary = atob(header);
    text = new TextDecoder("utf-8").decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch (cause) {
    throw new X402ProtocolError(`${name} header is not base64-encoded JSON`, { cause });
  }
  try {
    return parseBoundedJson(text, { maxBytes: MAX_HEADER_JSON_BYTES });
  } catch (cause) {
    if (cause instanceof JsonLimitError) {
      throw new X402ProtocolError(`${name} header: ${cause.shortMessage}`, { cause });
    }
    throw new X402ProtocolError(`${name} header is not base64-encoded JSON`, { cause });
  }
}
