import type { Address, Hex } from "viem";
import type { NetworkName } from "../config.js";
import { DEVNET_CHAIN_ID, devnetAddresses, MULTICALL3_ADDRESS } from "./devnetConstants.js";
import { devnetMarkets, devnetOracle } from "./devnetMarkets.js";
import { UnknownTokenError } from "./errors.js";

/** A token Paygent can hold, pay with or swap. Amounts are always base units of `decimals`. */
export interface TokenInfo {
  symbol: string;
  name: string;
  /** "native" for CRO itself. */
  address: Address | "native";
  decimals: number;
  /** EIP-712 domain of EIP-3009 tokens (x402 "exact"). A missing version must be read on chain (version()). */
  eip712?: { name: string; version?: string };
  /** Lower-case names a user or model may use for this token. */
  aliases: readonly string[];
  /** Pegged to one US dollar (priced at $1 without a pool). */
  stable: boolean;
  /** False when the address comes from a single unofficial source and has not been checked on chain. */
  verified: boolean;
}

/** Uniswap V2-style DEX (VVS Finance on Cronos, the fixture deployment on the devnet). */
export interface DexInfo {
  name: string;
  router: Address;
  factory: Address;
  /** Fee in basis points taken on every hop (VVS and Uniswap V2: 30). */
  feeBps: number;
  verified: boolean;
}

/**
 * A prediction market: a Gnosis fixed-product market maker over one ConditionalTokens condition.
 * The question text, short name and outcome labels are not on chain, so they live here.
 */
export interface MarketInfo {
  /** Short name commands use ("cro-above-0.10-dec31"). */
  name: string;
  question: string;
  /** Outcome labels in the condition's slot order (index i ↔ index set 1 << i). */
  outcomes: readonly string[];
  /** The FixedProductMarketMaker. */
  fpmm: Address;
  /** The condition is keccak256(oracle, questionId, outcomes.length); markets check it on chain. */
  oracle: Address;
  questionId: Hex;
  /** Symbol of the collateral token (one of the network's tokens). */
  collateral: string;
  /** When the answer is known (ISO 8601); informational, the market trades until the oracle reports. */
  closesAt: string;
}

/** Gnosis Conditional Tokens deployment of a network and the markets Paygent lists on it. */
export interface PredictionMarketsInfo {
  conditionalTokens: Address;
  fpmmFactory: Address;
  markets: readonly MarketInfo[];
}

/** Everything Paygent knows about one network. */
export interface NetworkInfo {
  name: NetworkName;
  chainId: number;
  /** WCRO: swaps to and from native CRO route through it. */
  wrappedNative: Address;
  multicall3: Address;
  /** Absent where no DEX address is known (swaps then fail with NoRouteError). */
  dex: DexInfo | undefined;
  tokens: readonly TokenInfo[];
  /** Absent where no Conditional Tokens deployment is known (markets then refuse: not available). */
  predictionMarkets: PredictionMarketsInfo | undefined;
}

const cro = (verified: boolean): TokenInfo => ({
  symbol: "CRO",
  name: "Cronos",
  address: "native",
  decimals: 18,
  aliases: ["cro", "cronos", "native"],
  stable: false,
  verified,
});

const usdcAliases = ["usdc", "usdc.e", "usd coin", "usdce", "bridged usdc", "usd"] as const;

function buildNetworks(): Record<NetworkName, NetworkInfo> {
  const devnet = devnetAddresses();
  return {
    devnet: {
      name: "devnet",
      chainId: DEVNET_CHAIN_ID,
      wrappedNative: devnet.wcro,
      multicall3: devnet.multicall3,
      dex: {
        name: "Uniswap V2 (devnet fixture)",
        router: devnet.router,
        factory: devnet.factory,
        feeBps: 30,
        verified: true,
      },
      predictionMarkets: {
        conditionalTokens: devnet.conditionalTokens,
        fpmmFactory: devnet.fpmmFactory,
        markets: devnetMarkets().map((market) => ({
          name: market.name,
          question: market.question,
          outcomes: market.outcomes,
          fpmm: market.fpmm,
          oracle: devnetOracle(),
          questionId: market.questionId,
          collateral: "USDC",
          closesAt: market.closesAt,
        })),
      },
      tokens: [
        cro(true),
        {
          symbol: "USDC",
          name: "Paygent USD",
          address: devnet.usdc,
          decimals: 6,
          eip712: { name: "Paygent USD", version: "2" },
          aliases: usdcAliases,
          stable: true,
          verified: true,
        },
        {
          symbol: "WCRO",
          name: "Wrapped CRO",
          address: devnet.wcro,
          decimals: 18,
          aliases: ["wcro", "wrapped cro"],
          stable: false,
          verified: true,
        },
        {
          symbol: "VVS",
          name: "VVS Finance",
          address: devnet.vvs,
          decimals: 18,
          aliases: ["vvs", "vvs finance"],
          stable: false,
          verified: true,
        },
      ],
    },
    "cronos-testnet": {
      name: "cronos-testnet",
      chainId: 338,
      // Single unofficial source; check on chain before relying on it.
      wrappedNative: "0x6a3173618859C7cd40fAF6921b5E9eB6A76f1fD4",
      multicall3: MULTICALL3_ADDRESS,
      // No VVS router address on testnet could be verified.
      dex: undefined,
      // No Gnosis Conditional Tokens deployment on Cronos testnet is known; never a guess.
      predictionMarkets: undefined,
      tokens: [
        cro(true),
        {
          symbol: "USDC",
          name: "Bridged USDC (Stargate)",
          address: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0",
          decimals: 6,
          eip712: { name: "Bridged USDC (Stargate)" },
          aliases: usdcAliases,
          stable: true,
          verified: true,
        },
        {
          symbol: "WCRO",
          name: "Wrapped CRO",
          address: "0x6a3173618859C7cd40fAF6921b5E9eB6A76f1fD4",
          decimals: 18,
          aliases: ["wcro", "wrapped cro"],
          stable: false,
          verified: false,
        },
      ],
    },
    cronos: {
      name: "cronos",
      chainId: 25,
      wrappedNative: "0x5C7F8A570d578ED84E63fdFA7b1eE72dEae1AE23",
      multicall3: MULTICALL3_ADDRESS,
      // Router given by the project; factory found in two independent public sources.
      dex: {
        name: "VVS Finance",
        router: "0x145863Eb42Cf62847A6Ca784e6416C1682b1b2Ae",
        factory: "0x3B44B2a187a7b3824131F8db5a74194D0a42Fc15",
        feeBps: 30,
        verified: true,
      },
      // No Gnosis Conditional Tokens deployment on Cronos is known ("Delphi" has no published
      // contracts); markets answer "not available on this network" instead of guessing.
      predictionMarkets: undefined,
      tokens: [
        cro(true),
        {
          symbol: "USDC",
          name: "Bridged USDC (Stargate)",
          address: "0xf951eC28187D9E5Ca673Da8FE6757E6f0Be5F77C",
          decimals: 6,
          eip712: { name: "Bridged USDC (Stargate)" },
          aliases: usdcAliases,
          stable: true,
          verified: true,
        },
        {
          symbol: "WCRO",
          name: "Wrapped CRO",
          address: "0x5C7F8A570d578ED84E63fdFA7b1eE72dEae1AE23",
          decimals: 18,
          aliases: ["wcro", "wrapped cro"],
          stable: false,
          verified: true,
        },
        {
          // From a public explorer allow-list only.
          symbol: "VVS",
          name: "VVS Finance",
          address: "0x2D03bECE6747ADC00E1a131BBA1469C15fD11e03",
          decimals: 18,
          aliases: ["vvs", "vvs finance"],
          stable: false,
          verified: false,
        },
      ],
    },
  };
}

let networks: Record<NetworkName, NetworkInfo> | undefined;

/** The registry entry for a network (chain id, WCRO, DEX, tokens). */
export function getNetwork(network: NetworkName): NetworkInfo {
  networks ??= buildNetworks();
  return networks[network];
}

/** Every token known on a network. */
export function getTokens(network: NetworkName): readonly TokenInfo[] {
  return getNetwork(network).tokens;
}

/** Looks a token up by symbol, alias or address (case-insensitive); undefined when unknown. */
export function findToken(network: NetworkName, symbolOrAlias: string): TokenInfo | undefined {
  const wanted = symbolOrAlias.trim().toLowerCase();
  return getTokens(network).find(
    (token) =>
      token.symbol.toLowerCase() === wanted ||
      token.aliases.includes(wanted) ||
      (token.address !== "native" && token.address.toLowerCase() === wanted),
  );
}

/** Like findToken, but throws UnknownTokenError (listing the known symbols) when the token is unknown. */
export function requireToken(network: NetworkName, symbolOrAlias: string): TokenInfo {
  const token = findToken(network, symbolOrAlias);
  if (!token) {
    throw new UnknownTokenError(symbolOrAlias, network, {
      metaMessages: [
        `Known tokens: ${getTokens(network)
          .map((known) => known.symbol)
          .join(", ")}`,
      ],
    });
  }
  return token;
}

/** The ERC-20 address used on the DEX for a token: WCRO stands in for native CRO. */
export function dexAddress(network: NetworkName, token: TokenInfo): Address {
  return token.address === "native" ? getNetwork(network).wrappedNative : token.address;
}
