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
  ["192.88.99.0", 24],
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
  // Local-use NAT64 (RFC 8215) translates to whatever the operator chose: never public.
  ["64:ff9b:1::", 48],
  ["100::", 64],
  // Teredo hides the client's IPv4 (XOR-ed) behind a relay: no legitimate x402 server lives there.
  ["2001::", 32],
  ["2001:2::", 48],
  ["2001:10::", 28],
  ["2001:20::", 28],
  ["2001:db8::", 32],
  ["3fff::", 20],
  ["5f00::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv6");
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * The IPv4 address an IPv6 address carries when it is one of the transition forms that route to
 * IPv4: IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, SIIT ::ffff:0:0:0/96, NAT64
 * 64:ff9b::/96 and 6to4 2002::/16. Such an address is as public as the IPv4 address inside it.
 */
export function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const v4 = (at: number) => Array.from(bytes.slice(at, at + 4)).join(".");
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(12); // ::ffff:a.b.c.d
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) return v4(12); // SIIT
  // ::a.b.c.d (deprecated IPv4-compatible); ::1 and :: are IPv6's own loopback and unspecified.
  if (zero(0, 12) && bytes[12] !== 0) return v4(12);
  const nat64 = [0x00, 0x64, 0xff, 0x9b];
  if (nat64.every((b, i) => bytes[i] === b) && zero(4, 12)) return v4(12); // 64:ff9b::/96
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2); // 2002:aabb:ccdd::/48 (6to4)
  return undefined;
}

/** True when an IP address is not reachable on the public internet, in any of its spellings. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/%.*$/, ""); // a zone id only makes sense for link-local
  const family = isIP(bare);
  if (family === 4) return nonPublic.check(bare, "ipv4");
  if (family !== 6) return true;
  const inner = embeddedIpv4(bare);
  if (inner !== undefined) return nonPublic.check(inner, "ipv4");
  return nonPublic.check(bare, "ipv6");
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return loopback.check(bare, "ipv4");
  if (family !== 6) return false;
  const inner = embeddedIpv4(bare);
  return inner !== undefined ? loopback.check(inner, "ipv4") : loopback.check(bare, "ipv6");
}

export interface AssertPublicUrlOptions {
  /** Allow every private/loopback target (tests, explicit operator choice). Default false. */
  allowPrivate?: boolean;
  /**
   * Allow loopback targets only (127.0.0.0/8, ::1). Default: on the devnet, whose demo services
   * run on this machine; never link-local, RFC 1918 or metadata addresses.
   */
  allowLoopback?: boolean;
  /** DNS resolver (tests); defaults to the system resolver, every address, verbatim order. */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A checked URL and the addresses it may be fetched from (connect to these, resolve nothing again). */
export interface PublicTarget {
  url: URL;
  addresses: ResolvedAddress[];
}

/**
 * Refuses URLs the server must not fetch on a caller's behalf (SSRF): other schemes, embedded
 * credentials, and hosts that are or resolve to loopback, private, link-local (169.254.169.254
 * cloud metadata), reserved or transition-form addresses hiding one of those. Returns the URL and
 * the checked addresses: fetchPinned connects to exactly these, so a DNS answer that changes in
 * between (rebinding) cannot redirect the connection.
 */
export async function resolvePublicTarget(
  input: string | URL,
  options: AssertPublicUrlOptions = {},
): Promise<PublicTarget> {
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
  // WHATWG URL parsing already normalised 0x7f.1, 2130706433 and friends to dotted IPv4.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal) addresses = [{ address: host, family: literal as 4 | 6 }];
  else {
    try {
      addresses = options.lookup
        ? await options.lookup(host)
        : (await lookup(host, { all: true, verbatim: true })).map((entry) => ({
            address: entry.address,
            family: entry.family as 4 | 6,
          }));
    } catch {
      throw new ClientError("unprocessable", `Host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0)
    throw new ClientError("unprocessable", `Host ${host} does not resolve`);
  if (options.allowPrivate) return { url, addresses };
  // An explicit allowPrivate: false means no local target at all, devnet or not.
  const allowLoopback =
    options.allowLoopback ??
    (options.allowPrivate === undefined && getConfig().PAYGENT_NETWORK === "devnet");
  const refused = addresses.some(
    ({ address }) => isNonPublicAddress(address) && !(allowLoopback && isLoopbackAddress(address)),
  );
  if (refused) {
    throw new ClientError("forbidden", "URL points at a private, local or reserved address");
  }
  return { url, addresses };
}

/**
 * resolvePublicTarget for callers that only need the verdict. Prefer fetchPinned for the fetch
 * itself: a check followed by a plain fetch resolves twice.
 */
export async function assertPublicUrl(
  input: string | URL,
  options: AssertPublicUrlOptions = {},
): Promise<URL> {
  return (await resolvePublicTarget(input, options)).url;
}

/** 16 bytes of an IPv6 address (with an optional dotted IPv4 tail), or undefined. */
function ipv6Bytes(address: string): Uint8Array | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const parts = tail[1]!.split(".").map(Number);
    const hex = `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
    text = text.slice(0, -tail[1]!.length) + hex;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups =
    rest === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  if (groups.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group || "0", 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}
