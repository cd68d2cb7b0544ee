import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { getConfig } from "../config.js";
import { ClientError } from "../errors/index.js";

/** Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast and reserved ranges. */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv6");
}

/** True when an IP address is not reachable on the public internet (or is an IPv4-mapped such address). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return nonPublic.check(address, "ipv4");
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublic.check(mapped[1]!, "ipv4");
  return nonPublic.check(address, "ipv6");
}

export interface AssertPublicUrlOptions {
  /** Allow loopback/private targets. Default: only on the devnet, whose demo services run locally. */
  allowPrivate?: boolean;
}

/**
 * Refuses URLs the server must not fetch on a caller's behalf (SSRF): other schemes, embedded
 * credentials, and hosts that are or resolve to loopback, private, link-local (169.254.169.254
 * cloud metadata) or reserved addresses. Returns the parsed URL.
 *
 * Every resolved address is checked, but the later fetch resolves again: a host that changes its
 * answer in between (DNS rebinding) is not covered; fetch with `redirect: "manual"` so a public
 * host cannot bounce the request inward either.
 */
export async function assertPublicUrl(
  input: string | URL,
  options: AssertPublicUrlOptions = {},
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ClientError("validation_failed", "Not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientError("validation_failed", "Only http and https URLs can be fetched");
  }
  if (url.username || url.password) {
    throw new ClientError("validation_failed", "URLs with embedded credentials are not accepted");
  }
  const allowPrivate = options.allowPrivate ?? getConfig().PAYGENT_NETWORK === "devnet";
  if (allowPrivate) return url;

  // WHATWG URL parsing already normalised 0x7f.1, 2130706433 and friends to dotted IPv4.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      throw new ClientError("unprocessable", `Host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw new ClientError("forbidden", "URL points at a private, local or reserved address");
  }
  return url;
}
