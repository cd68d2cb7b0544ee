/** Any scheme://… URL in free text, up to whitespace, a quote or an angle bracket. */
const urlInText = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** scheme://, authority, path, ?query, #fragment. */
const urlParts = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;
/** A public address (explorer links, payee paths): not a credential, and useful in a log. */
const address = /^0x[0-9a-fA-F]{40}$/;
/** Lower-case words joined by separators, none longer than a word gets. */
const words = /^[a-z]{1,15}(?:[._-][a-z]{1,15})*$/;

/**
 * Rewrites every URL in `text` so that no credential it may carry survives: the password (and an
 * opaque user name) of the user info, path segments that look like keys (Alchemy `/v2/<key>`,
 * Infura `/v3/<32 hex>`, QuickNode, webhook tokens), every query value (`?apikey=`, `?token=`)
 * and the fragment. Scheme, host, port, readable path segments and query names stay, so a log
 * still says which service failed. Providers put keys in all of these places, and viem's error
 * messages print the RPC URL with only its user:pass@ removed.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(urlInText, maskUrl);
}

function maskUrl(url: string): string {
  const parts = urlParts.exec(url);
  if (!parts) return url;
  const [, scheme = "", authority = "", path = "", query, fragment] = parts;
  return (
    scheme +
    maskAuthority(authority) +
    path
      .split("/")
      .map((segment) => (looksOpaque(segment) ? "[redacted]" : segment))
      .join("/") +
    (query === undefined ? "" : maskQuery(query)) +
    (fragment === undefined || fragment === "#" ? "" : "#[redacted]")
  );
}

function maskAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  if (at < 0) return authority;
  const userInfo = authority.slice(0, at);
  const colon = userInfo.indexOf(":");
  const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
  // The user name stays (postgres://paygent:…) unless it is itself a token (https://<token>@host).
  const shownUser = looksOpaque(user) ? "[redacted]" : user;
  return `${shownUser}${colon < 0 ? "" : ":[redacted]"}@${authority.slice(at + 1)}`;
}

/** Names stay, values never: any value may be a key, and a log needs only which ones were sent. */
function maskQuery(query: string): string {
  if (query === "?") return query;
  return `?${query
    .slice(1)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      if (equals >= 0) return `${pair.slice(0, equals)}=[redacted]`;
      return looksOpaque(pair) ? "[redacted]" : pair;
    })
    .join("&")}`;
}

/**
 * A key rather than words: 16+ characters of token alphabet that are not lower-case words joined
 * by - _ . ("market-data-premium" stays; a digit, a capital or 16 letters in a row is a key). A
 * shorter key slips through here, which is why log.ts also replaces the configured secrets.
 */
function looksOpaque(segment: string): boolean {
  if (segment.length < 16 || address.test(segment)) return false;
  return /^[A-Za-z0-9_.~+=%-]+$/.test(segment) && !words.test(segment);
}
