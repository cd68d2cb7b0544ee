import { z } from "zod";

/**
 * The id part of a keyset cursor (see decodeCursor): the shape every Paygent id has (`<prefix>_`
 * + base32, the older hex ids, `pay_<hex>`), so nothing else — a NUL above all, which Postgres
 * refuses in text — reaches the query's comparison.
 */
export const cursorId = z.string().regex(/^[\w:-]{1,100}$/, "must be an id");
