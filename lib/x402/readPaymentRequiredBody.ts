import { readBodyCapped } from "../security/readBodyCapped.js";
import { X402ProtocolError } from "./errors.js";

/**
 * The body of a 402 answer, for parsePaymentRequired, read at most `maxBytes` deep. With a
 * PAYMENT-REQUIRED header the body is never parsed, so it is not read at all. Without one, the
 * body is the JSON declaration (v1): a body over the cap is an error, not a truncation, because a
 * cut document is not the one the server sent (and no honest declaration is that large).
 */
export async function readPaymentRequiredBody(
  response: Response,
  maxBytes: number,
): Promise<string> {
  if (response.headers.has("payment-required")) {
    await response.body?.cancel().catch(() => undefined);
    return "";
  }
  const { text, truncated } = await readBodyCapped(response, maxBytes);
  if (truncated)
    throw new X402ProtocolError(`402 body is larger than ${Math.floor(maxBytes / 1024)} KiB`);
  return text;
}
