import { createHash, randomBytes } from "node:crypto";

/**
 * The one id scheme of every row Paygent creates (runs, sessions, approvals, services,
 * subscriptions, API keys): `<prefix>_` + 26 Crockford base32 characters. Ids stored by earlier
 * releases (`key_<16 hex>`, `svc_`/`sub_<20 hex>`) stay valid: nothing parses an id, and the
 * route schemas accept both shapes.
 */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A sortable, unguessable id: `<prefix>_` + 10 chars of millisecond time + 16 random chars.
 * Sorting by id sorts by creation time, which keyset pagination relies on.
 */
export function newId(prefix: string): string {
  let time = Date.now();
  let timePart = "";
  for (let i = 0; i < 10; i++) {
    timePart = alphabet[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  let randomPart = "";
  for (const byte of random) randomPart += alphabet[byte % 32];
  return `${prefix}_${timePart}${randomPart}`;
}

/** An id of the same shape derived from a seed: the same seed always gives the same id (idempotent creates). */
export function derivedId(prefix: string, seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let text = "";
  for (let i = 0; i < 26; i++) text += alphabet[digest[i]! % 32];
  return `${prefix}_${text}`;
}
