/** The host (with its port) a URL names, lower case, as counterparty rules match it; undefined when it does not parse. */
export function hostOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).host.toLowerCase() : undefined;
}
