import { createHash, randomFillSync } from "node:crypto";

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
  const offset = takeRandomBytes(16);
  let randomPart = "";
  for (let i = offset; i < offset + 16; i++) randomPart += alphabet[randomPool[i]! % 32];
  return `${prefix}_${timePart}${randomPart}`;
}

/**
 * Random bytes for ids, drawn from a pool filled 4 KiB at a time (as crypto.randomUUID does): a
 * randomBytes(16) per id cost ~15 µs of main-thread time, three times in every accept (issue 17).
 * Every byte is used once, so ids stay as unpredictable as before.
 */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function takeRandomBytes(count: number): number {
  if (randomOffset + count > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const offset = randomOffset;
  randomOffset += count;
  return offset;
}

/** An id of the same shape derived from a seed: the same seed always gives the same id (idempotent creates). */
export function derivedId(prefix: string, seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let text = "";
  for (let i = 0; i < 26; i++) text += alphabet[digest[i]! % 32];
  return `${prefix}_${text}`;
}
