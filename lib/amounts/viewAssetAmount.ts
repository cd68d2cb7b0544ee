import { networkOfCaip2 } from "../chain/resolveNetworkRef.js";
import { type NetworkName, networkNames } from "../config.js";
import type { AmountView } from "./schemas.js";
import { viewAmount } from "./viewAmount.js";

/**
 * Base units of an asset (address or symbol) on a network named by CAIP-2 id or name, as a
 * response shows them. On a network Paygent does not know the amount keeps its base units only:
 * decimals are never guessed.
 */
export function viewAssetAmount(
  baseUnits: bigint | string,
  asset: string,
  network: string,
): AmountView {
  const name =
    networkOfCaip2(network) ?? networkNames.find((candidate: NetworkName) => candidate === network);
  if (name) return viewAmount(baseUnits, asset, name);
  return {
    amount: null,
    token: asset,
    baseUnits: BigInt(baseUnits).toString(),
    decimals: null,
    formatted: `${baseUnits} base units of ${asset}`,
  };
}
