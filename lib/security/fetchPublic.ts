import { type AssertPublicUrlOptions, assertPublicUrl } from "./assertPublicUrl.js";
import { fetchPinned, type PinnedRequestInit } from "./fetchPinned.js";

/**
 * One request to a caller-chosen URL, following no redirect: fetchPinned, which resolves the host
 * once, refuses internal addresses and connects to the checked one (a check followed by a plain
 * fetch resolves twice, and a rebinding DNS answer could aim it at an internal host). An injected
 * fetch (tests) resolves names on its own: the URL is checked first, then that fetch is called.
 * The answer's size is the caller's to bound: read it with readBodyCapped, never .text()/.json().
 */
export async function fetchPublic(
  url: string,
  init: PinnedRequestInit,
  options: AssertPublicUrlOptions & { fetch?: typeof fetch | undefined } = {},
): Promise<Response> {
  const { fetch: injected, ...guard } = options;
  if (!injected) return fetchPinned(url, init, { ...guard, redirect: "manual" });
  await assertPublicUrl(url, guard);
  return injected(url, { ...init, redirect: "manual" });
}
