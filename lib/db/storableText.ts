/**
 * What Postgres cannot store: NUL (refused in text and in jsonb) and a UTF-16 half without its
 * pair (refused in jsonb; the driver's UTF-8 encoding already turns it into U+FFFD for text).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text from outside (a payee's refusal reason, its content) made fit for a text or jsonb column:
 * each NUL or unpaired surrogate becomes U+FFFD, everything else stays as it is. One NUL from a
 * hostile payee otherwise made the write that books its failure fail, so nothing was flagged or
 * cancelled and the payee kept a usable signature. Unlike printableText (for messages shown to
 * people), other control characters, spaces and length are kept: content must stay content.
 */
export function storableText(text: string): string {
  return text.replace(unstorable, "\uFFFD");
}
