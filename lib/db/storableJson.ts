/**
 * In JSON.stringify's output: a NUL or an unpaired surrogate (both written as a \u escape, and
 * both refused by jsonb), counted only when the backslash before it is not itself escaped.
 */
const unstorableEscape = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * A JSON value from outside (paid content, a payee's signed offer, its 402 terms) made fit for a
 * jsonb column: every string and key, at any depth, gets storableText's treatment (NUL and
 * unpaired surrogates become U+FFFD) and nothing else changes. Postgres refuses the whole write
 * otherwise ("unsupported Unicode escape sequence"), so a payee's one NUL failed the booking of a
 * payment it had already settled. Works on the serialised text (what the write sends anyway), so
 * the result serialises exactly as the input did but for those characters; a value with nothing
 * to replace is returned as it is.
 */
export function storableJson<T>(value: T): T {
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined || !text.includes("\\u")) return value;
  const storable = text.replace(unstorableEscape, "$1\\ufffd");
  return storable === text ? value : (JSON.parse(storable) as T);
}
