import { type Address, getContractAddress, type Hex } from "viem";
import { wellKnownDevnetAccounts } from "../config/devnetKeys.js";

/**
 * What functions need to know about the devnet, as constants: its chain id, which well-known account
 * plays which role, and where the fixtures live. The devnet's machinery (anvil, fixture deployment,
 * contract artifacts, HD derivation) stays in lib/chain/devnet/, which no api/ function imports and
 * vercel.json keeps out of every function.
 */

/** Chain id of the local devnet: anvil's default, distinct from Cronos (25) and its testnet (338). */
export const DEVNET_CHAIN_ID = 31337;

/** Canonical Multicall3 address (same on Cronos); the fixtures place Multicall3 code there with anvil_setCode. */
export const MULTICALL3_ADDRESS: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

/**
 * Which anvil account plays which role. The fixtures deployer has an index nothing else uses, so
 * its nonce counts fixture steps only (deployFixtures relies on that for idempotency).
 */
export const devnetAccountIndex = {
  /** Free for tests and scripts. */
  funder: 0,
  /** The agent wallet (default AGENT_PRIVATE_KEY on the devnet). */
  agent: 1,
  /** The x402 facilitator that settles payments (default FACILITATOR_PRIVATE_KEY on the devnet). */
  facilitator: 2,
  /** The demo merchant / paid API that receives payments. */
  merchant: 3,
  /** Reports the outcome of the devnet prediction markets (ConditionalTokens' oracle). */
  oracle: 8,
  /** Deploys and owns the fixtures (tokens, pools). */
  deployer: 9,
} as const;

export type DevnetRole = keyof typeof devnetAccountIndex;

export interface DevnetAccount {
  address: `0x${string}`;
  privateKey: Hex;
}

/** The well-known anvil account playing `role` (a table lookup: no mnemonic derivation). */
export function devnetRoleAccount(role: DevnetRole): DevnetAccount {
  const [address, privateKey] = wellKnownDevnetAccounts[devnetAccountIndex[role]]!;
  return { address: address as `0x${string}`, privateKey: privateKey as Hex };
}

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
  const deployer = devnetRoleAccount("deployer").address;
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
