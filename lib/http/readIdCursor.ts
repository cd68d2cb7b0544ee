import { ClientError } from "../errors/index.js";

/**
 * Checks a keyset cursor that is the last id of the previous page (`<prefix>_` + 26 base32
 * characters, lib/ids.ts). Anything else is refused with the 400 "Invalid cursor" the other
 * paginated routes answer: compared as text it would silently give an empty page ("garbage") or
 * the whole list ("\uFFFD…", what %FF%FE decodes to).
 */
export function readIdCursor(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  if (!new RegExp(`^${prefix}_[0-9a-z]{26}$`).test(cursor)) {
    throw new ClientError("bad_request", "Invalid cursor: pass nextCursor from the previous page");
  }
  return cursor;
}
