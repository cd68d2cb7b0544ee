import { ClientError } from "../errors/index.js";

/**
 * The Idempotency-Key header of a request, validated (undefined when absent). The IETF draft sends
 * it as a structured-field string (`"abc"`); the bare form is accepted too.
 */
export function readIdempotencyKey(request: Request): string | undefined {
  const header = request.headers.get("idempotency-key");
  if (header === null) return undefined;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!/^[\w.:-]{1,128}$/.test(key)) {
    throw new ClientError(
      "bad_request",
      "Idempotency-Key must be 1–128 characters of letters, digits, . _ : -",
    );
  }
  return key;
}
