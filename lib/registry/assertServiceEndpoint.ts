import { isIP } from "node:net";
import { assertPublicUrl } from "../security/assertPublicUrl.js";

/**
 * Refuses a service endpoint whose host is a literal private, local or reserved address
 * (169.254.169.254, 10.0.0.1; loopback only on the devnet), as every later use of it would be.
 * Host names are not resolved here: registration works offline, and each use checks again.
 */
export async function assertServiceEndpoint(endpoint: string): Promise<void> {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) await assertPublicUrl(endpoint);
}
