import { humanDecimal } from "../actions/format.js";
import { findToken } from "../chain/registry.js";
import { getConfig } from "../config.js";

/**
 * A token amount as the desk prints it: formatAmount's rule with thousands grouped
 * ("1,008.70 CRO", "50 USDC", "0.10 USDC"); unknown symbols stay in base units.
 */
export function humanAmount(amount: string | bigint, symbol: string): string {
  const token = findToken(getConfig().PAYGENT_NETWORK, symbol);
  if (!token) return `${amount} base units of ${symbol}`;
  const [whole = "0", fraction] = humanDecimal(BigInt(amount), token.decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${fraction === undefined ? grouped : `${grouped}.${fraction}`} ${token.symbol}`;
}
