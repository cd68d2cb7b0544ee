import { endpointKey } from "../../registry/endpointKey.js";

/**
 * Whether a payment to `url` pays the catalogue service whose endpoint is `endpoint` (any spelling
 * endpointKey folds). A pay action naming a service must: the key's policy allows or denies
 * payees by service id, so a service id sent beside another URL would carry that URL past it.
 */
export function paysServiceEndpoint(url: string, endpoint: string): boolean {
  const key = endpointKey(url);
  return key !== undefined && key === endpointKey(endpoint);
}
