import type { z } from "zod";
import { ClientError } from "../errors/index.js";

/**
 * Reads a keyset cursor a list route handed out as nextCursor (base64url JSON, see encodeCursor)
 * and checks it with `schema`. Anything else is the client's 400 naming the cursor: a value that
 * slipped through would reach Postgres as a ::timestamptz cast or a text comparison and fail there
 * as a 500 (an impossible date, a NUL the request-level check cannot see inside the base64).
 */
export function decodeCursor<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
  hint = "pass nextCursor from the previous page",
): z.output<Schema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new ClientError("bad_request", `Invalid cursor: ${hint}`);
  return result.data;
}
