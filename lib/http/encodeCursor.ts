/** A keyset cursor for nextCursor: the last row's sort key as base64url JSON (see decodeCursor). */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}
