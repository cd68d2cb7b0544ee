import type { NetworkName } from "../config.js";

/**
 * The explorer's transaction page prefix of a network; null on the devnet, whose transactions
 * no public explorer knows.
 */
export function explorerTxUrl(network: NetworkName): string | null {
  if (network === "cronos") return "https://explorer.cronos.org/tx/";
  if (network === "cronos-testnet") return "https://explorer.cronos.org/testnet/tx/";
  return null;
}
