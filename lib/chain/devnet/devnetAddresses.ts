import { type Address, getContractAddress } from "viem";
import { devnetAccount } from "./devnetAccounts.js";

/** Canonical Multicall3 address (same on Cronos); the fixtures place Multicall3 code there with anvil_setCode. */
export const MULTICALL3_ADDRESS: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

/**
 * The deployer nonce of each fixture step. deployFixtures runs them in this order from the deployer
 * account, so contract addresses follow from (deployer, nonce) and a step is done once the deployer's
 * nonce has passed it. Append new steps at the end; never reorder.
 */
export const fixtureNonce = {
  deployWcro: 0,
  deployFactory: 1,
  deployRouter: 2,
  deployUsdc: 3,
  deployVvs: 4,
  mintUsdc: 5,
  mintVvs: 6,
  approveUsdc: 7,
  approveVvs: 8,
  addCroUsdcLiquidity: 9,
  addVvsCroLiquidity: 10,
  fundAgentUsdc: 11,
  fundAgentVvs: 12,
  // Prediction markets (Gnosis Conditional Tokens + FPMM), appended so the addresses above never move
  // and a devnet persisted before they existed gains them on its next start.
  deployConditionalTokens: 13,
  deployFpmmFactory: 14,
  mintMarketUsdc: 15,
  prepareCroAbove: 16,
  createCroAbove: 17,
  approveCroAbove: 18,
  fundCroAbove: 19,
  prepareCroRange: 20,
  createCroRange: 21,
  approveCroRange: 22,
  fundCroRange: 23,
} as const;

/** Addresses of the devnet fixtures. */
export interface DevnetAddresses {
  deployer: Address;
  wcro: Address;
  factory: Address;
  router: Address;
  usdc: Address;
  vvs: Address;
  multicall3: Address;
  /** Gnosis ConditionalTokens (ERC-1155 outcome positions). */
  conditionalTokens: Address;
  /** Gnosis FixedProductMarketMakerFactory (its markets are listed in devnetMarkets.ts). */
  fpmmFactory: Address;
}

let cached: DevnetAddresses | undefined;

/** The deterministic devnet fixture addresses (pure: computed, no RPC). */
export function devnetAddresses(): DevnetAddresses {
  if (cached) return cached;
  const deployer = devnetAccount("deployer").address;
  const at = (nonce: number) => getContractAddress({ from: deployer, nonce: BigInt(nonce) });
  cached = {
    deployer,
    wcro: at(fixtureNonce.deployWcro),
    factory: at(fixtureNonce.deployFactory),
    router: at(fixtureNonce.deployRouter),
    usdc: at(fixtureNonce.deployUsdc),
    vvs: at(fixtureNonce.deployVvs),
    multicall3: MULTICALL3_ADDRESS,
    conditionalTokens: at(fixtureNonce.deployConditionalTokens),
    fpmmFactory: at(fixtureNonce.deployFpmmFactory),
  };
  return cached;
}
