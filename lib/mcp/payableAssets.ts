import type { Address } from "viem";
import type { ChainContext } from "../chain/clients.js";
import type { AllowedAsset } from "../x402/selectRequirement.js";

/** Tokens the agent may pay x402 prices in: the network's EIP-3009 tokens (as the pay action uses). */
export function payableAssets(chain: ChainContext): AllowedAsset[] {
  return chain.registry.tokens
    .filter((token) => token.address !== "native" && token.eip712)
    .map((token) => ({ address: token.address as Address, symbol: token.symbol }));
}
