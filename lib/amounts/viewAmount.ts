import { formatDecimal } from "../agent/decimal.js";
import { findToken } from "../chain/registry.js";
import { getConfig, type NetworkName } from "../config.js";
import { USD_UNIT } from "./resolveAmount.js";
import type { AmountView } from "./schemas.js";

/**
 * Base units as a response shows them (issue 20): `{amount: "0.1", token: "USDC", baseUnits:
 * "100000", decimals: 6, formatted: "0.1 USDC"}`. `unit` is a symbol, "USD" or an asset address;
 * an asset the network does not know keeps its base units and says so instead of guessing decimals.
 */
export function viewAmount(
  baseUnits: bigint | string | number,
  unit: string,
  network: NetworkName = getConfig().PAYGENT_NETWORK,
): AmountView {
  const value = BigInt(baseUnits);
  const known =
    unit.toUpperCase() === USD_UNIT.symbol
      ? { symbol: USD_UNIT.symbol, decimals: USD_UNIT.decimals }
      : findToken(network, unit);
  if (!known) {
    return {
      amount: null,
      token: unit,
      baseUnits: value.toString(),
      decimals: null,
      formatted: `${value} base units of ${unit}`,
    };
  }
  const amount = formatDecimal(value, known.decimals);
  return {
    amount,
    token: known.symbol,
    baseUnits: value.toString(),
    decimals: known.decimals,
    formatted: `${amount} ${known.symbol}`,
  };
}
