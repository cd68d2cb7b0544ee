import { type Address, getContractAddress, type Hex, keccak256, parseUnits, toBytes } from "viem";
import { devnetAddresses, devnetRoleAccount } from "./devnetConstants.js";

// Plain data functions need (lib/chain/registry.ts lists these markets), so it lives outside the
// dev-only lib/chain/devnet/ folder that no function may trace (issue 18); the fixtures re-export it.

/** A demo prediction market the devnet fixtures create (Gnosis FPMM on one ConditionalTokens condition). */
export interface DevnetMarketFixture {
  /** Short name commands use. */
  name: string;
  question: string;
  /** Outcome labels in slot order (index i ↔ index set 1 << i). */
  outcomes: readonly string[];
  /** keccak256 of "paygent-devnet:<name>": the oracle reports under this id. */
  questionId: Hex;
  /** When the answer is known; informational (the market trades until the oracle reports). */
  closesAt: string;
  /** USDC base units the deployer adds as the market's initial liquidity. */
  funding: bigint;
  /**
   * Initial odds: the pool keeps funding × hint[i] / max(hint) of outcome i, and an outcome's price
   * falls as the pool holds more of it ([3, 2] starts "Yes" at 0.40).
   */
  distributionHint: readonly bigint[];
  /** The market maker's address (the factory's CREATE clone at `factoryNonce`). */
  fpmm: Address;
}

/** Trading fee of the devnet markets: 1 % in the FPMM's 1e18 fixed point. */
export const devnetMarketFee = 10n ** 16n;

/**
 * Contract nonce of each market's clone in the FPMM factory: the factory's constructor deployed the
 * implementation master with nonce 1 (EIP-161 starts contracts at 1), so clones follow from 2.
 */
const factoryNonce = { croAbove: 2n, croRange: 3n } as const;

let cached: readonly DevnetMarketFixture[] | undefined;

/** The devnet's demo markets with their deterministic addresses (pure: computed, no RPC). */
export function devnetMarkets(): readonly DevnetMarketFixture[] {
  if (cached) return cached;
  const { fpmmFactory } = devnetAddresses();
  const questionId = (name: string) => keccak256(toBytes(`paygent-devnet:${name}`));
  const clone = (nonce: bigint) => getContractAddress({ from: fpmmFactory, nonce });
  cached = [
    {
      name: "cro-above-0.10-dec31",
      question: "Will CRO/USDC on the devnet pool close above 0.10 on 2026-12-31?",
      outcomes: ["Yes", "No"],
      questionId: questionId("cro-above-0.10-dec31"),
      closesAt: "2026-12-31T23:59:59Z",
      funding: parseUnits("1000", 6),
      distributionHint: [3n, 2n],
      fpmm: clone(factoryNonce.croAbove),
    },
    {
      name: "cro-range-dec31",
      question: "Where will CRO/USDC on the devnet pool close on 2026-12-31?",
      outcomes: ["Below 0.08", "0.08 to 0.12", "Above 0.12"],
      questionId: questionId("cro-range-dec31"),
      closesAt: "2026-12-31T23:59:59Z",
      funding: parseUnits("600", 6),
      distributionHint: [1n, 1n, 1n],
      fpmm: clone(factoryNonce.croRange),
    },
  ];
  return cached;
}

/** The devnet oracle: the only account whose reportPayouts resolves the devnet markets. */
export function devnetOracle(): Address {
  return devnetRoleAccount("oracle").address;
}
