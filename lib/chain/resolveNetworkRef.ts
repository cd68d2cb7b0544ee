import { type NetworkName, networkNames } from "../config.js";
import { ClientError } from "../errors/index.js";
import { getNetwork } from "./registry.js";

/** A network a request named, with the CAIP-2 id Paygent stores. */
export interface NetworkRef {
  name: NetworkName;
  /** "eip155:<chain id>". */
  caip2: string;
}

/** The CAIP-2 id of a network Paygent knows ("cronos" → "eip155:25"). */
export function caip2Of(name: NetworkName): string {
  return `eip155:${getNetwork(name).chainId}`;
}

/** The network of a CAIP-2 id, or undefined when Paygent does not know it. */
export function networkOfCaip2(caip2: string): NetworkName | undefined {
  return networkNames.find((name) => caip2Of(name) === caip2.trim().toLowerCase());
}

/**
 * A network as a request may name it: its name ("cronos", "cronos-testnet", "devnet") or its
 * CAIP-2 id ("eip155:25"). Anything else is a 400 listing both forms of every known network.
 */
export function resolveNetworkRef(text: string, field = "network"): NetworkRef {
  const wanted = text.trim().toLowerCase();
  const name = networkNames.find((candidate) => candidate === wanted) ?? networkOfCaip2(wanted);
  if (!name) {
    const known = networkNames.map((candidate) => `${candidate} (${caip2Of(candidate)})`);
    throw new ClientError(
      "validation_failed",
      `${field}: unknown network "${text}"; known: ${known.join(", ")}`,
    );
  }
  return { name, caip2: caip2Of(name) };
}
