import { resolveAmount } from "../amounts/resolveAmount.js";
import { findToken } from "../chain/registry.js";
import { networkNames } from "../config.js";
import type { DiscoverRequestQuery } from "./requestSchemas.js";
import type { DiscoverParameters } from "./schemas.js";

/**
 * The discovery query in whole tokens → discoverServices' filters in base units. Price filters
 * only compare like with like: they keep services priced in priceToken (by address or symbol).
 */
export function toDiscoverParameters(query: DiscoverRequestQuery): DiscoverParameters {
  const { minPrice, maxPrice, priceToken, ...rest } = query;
  if (!priceToken) return rest;
  const bound = (amount: string | undefined, field: string) =>
    amount === undefined
      ? undefined
      : resolveAmount(
          { amount, token: priceToken },
          { field, allowZero: true },
        ).baseUnits.toString();
  const min = bound(minPrice, "minPrice");
  const max = bound(maxPrice, "maxPrice");
  const token = resolveAmount({ amount: "0", token: priceToken }, { allowZero: true });
  // The registry lists services of every known network: the token's address on each of them
  // counts, where it has the same decimals (so base units compare like with like).
  const assets = new Set<string>([token.token.toLowerCase()]);
  for (const network of networkNames) {
    const info = findToken(network, token.token);
    if (info && info.address !== "native" && info.decimals === token.decimals) {
      assets.add(info.address.toLowerCase());
    }
  }
  return {
    ...rest,
    ...(min === undefined ? {} : { minPrice: min }),
    ...(max === undefined ? {} : { maxPrice: max }),
    priceAssets: [...assets],
  };
}
