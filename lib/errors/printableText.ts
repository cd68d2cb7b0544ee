/** Control characters other than tab and newline (NUL and friends), with the spaces around them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlCharacters = / *[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]+ */g;

/**
 * Text from outside (a revert reason decoded from raw bytes, a payee's error) made fit to store
 * and show: Postgres refuses NUL in text and JSON, so one such byte in a failure message made
 * recording the failure itself fail, and the step retried until the run ended without its reason.
 */
export function printableText(text: string): string {
  return text.replace(controlCharacters, " ").trim();
}
