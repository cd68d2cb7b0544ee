import { type Address, isAddressEqual } from "viem";
import {
  PriceAboveLimitError,
  UnsupportedAssetError,
  UnsupportedNetworkError,
  UnsupportedSchemeError,
} from "./errors.js";
import type { PaymentRequirement } from "./requirements.js";

/** A token the agent may pay with. */
export interface AllowedAsset {
  address: Address;
  symbol: string;
}

/** What the agent is willing to pay, checked before anything is signed. */
export interface SelectRequirementParameters {
  accepts: readonly PaymentRequirement[];
  /** The chain the agent's account lives on. */
  chainId: number;
  allowedAssets: readonly AllowedAsset[];
  /** Upper bound for this one payment, in base units of the selected asset. */
  maxAmount: bigint;
  /** Restricts payment to one token (symbol, case-insensitive, or address). */
  token?: string | undefined;
}

/**
 * Picks the requirement Paygent will pay: scheme "exact", on our chain, in an allowed token,
 * at most `maxAmount`; the cheapest such one. Each rejection names
 * the first check nothing passed, so the agent can explain why it did not pay.
 */
export function selectRequirement(parameters: SelectRequirementParameters): PaymentRequirement {
  const { accepts, chainId, maxAmount } = parameters;
  const exact = accepts.filter((item) => item.scheme === "exact");
  if (exact.length === 0)
    throw new UnsupportedSchemeError(unique(accepts.map((item) => item.scheme)));

  const onChain = exact.filter((item) => item.chainId === chainId);
  if (onChain.length === 0) {
    throw new UnsupportedNetworkError(
      unique(exact.map((item) => item.network)),
      `eip155:${chainId}`,
    );
  }

  const allowed = allowedFor(parameters);
  const payable = onChain.filter((item) =>
    allowed.some((asset) => isAddressEqual(asset.address, item.asset)),
  );
  if (payable.length === 0) {
    throw new UnsupportedAssetError(
      unique(onChain.map((item) => item.asset)),
      allowed.map((asset) => `${asset.symbol} ${asset.address}`),
    );
  }

  const cheapest = payable.reduce((best, item) =>
    BigInt(item.amount) < BigInt(best.amount) ? item : best,
  );
  const amount = BigInt(cheapest.amount);
  const symbol = symbolOf(allowed, cheapest.asset);
  if (amount > maxAmount) throw new PriceAboveLimitError(amount, maxAmount, symbol);
  return cheapest;
}

function allowedFor({
  allowedAssets,
  token,
}: SelectRequirementParameters): readonly AllowedAsset[] {
  if (token === undefined) return allowedAssets;
  const wanted = token.toLowerCase();
  return allowedAssets.filter(
    (asset) => asset.symbol.toLowerCase() === wanted || asset.address.toLowerCase() === wanted,
  );
}

function symbolOf(allowed: readonly AllowedAsset[], address: Address): string {
  return allowed.find((asset) => isAddressEqual(asset.address, address))?.symbol ?? address;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
