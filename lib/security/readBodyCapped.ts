/** A remote body read up to a byte cap. */
export interface CappedBody {
  /** UTF-8 text of at most the cap's bytes (a character the cut splits becomes U+FFFD). */
  text: string;
  /** The body went on past the cap; the rest was never read. */
  truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a response body, then cancels the stream, which closes the
 * connection: a remote server (a resource, a payee, a facilitator) cannot make Paygent buffer more
 * than the cap, whatever it sends or claims in Content-Length. `.text()`, `.json()` and
 * `.arrayBuffer()` read everything first and must not be used on a remote body.
 *
 * Over the cap is truncation here, not an error: the caller decides. Text kept for a person (a
 * preview, a diagnostic) can be cut; a caller that must parse the whole body (JSON) treats
 * `truncated` as a failure, since a cut document is not the one the server sent.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<CappedBody> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), truncated: false };
    if (size + value.byteLength > maxBytes) {
      text += decoder.decode(value.subarray(0, maxBytes - size));
      // Cancelling aborts the transfer; an error while doing so changes nothing for the caller.
      await reader.cancel().catch(() => undefined);
      return { text, truncated: true };
    }
    text += decoder.decode(value, { stream: true });
    size += value.byteLength;
  }
}
