import { getTokens } from "../chain/registry.js";
import { getConfig } from "../config.js";

/**
 * The symbol and decimals of a payment's asset (a contract address, or a symbol), null when the
 * network does not know it: then the amount is shown in base units.
 */
export function tokenOfAsset(asset: string): { symbol: string; decimals: number } | null {
  const wanted = asset.toLowerCase();
  const token = getTokens(getConfig().PAYGENT_NETWORK).find(
    (t) => t.address.toLowerCase() === wanted || t.symbol.toLowerCase() === wanted,
  );
  return token ? { symbol: token.symbol, decimals: token.decimals } : null;
}
