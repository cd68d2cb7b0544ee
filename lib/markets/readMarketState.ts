import type { Address, Hex } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { type MarketInfo, requireToken, type TokenInfo } from "../chain/registry.js";
import { conditionalTokensAbi, fpmmAbi } from "./abis.js";
import { MarketMisconfiguredError } from "./errors.js";
import { marketConditionId, requirePredictionMarkets } from "./requireMarket.js";

/** What never changes for a market once created: checked against the registry once, then cached. */
export interface MarketStatics {
  market: MarketInfo;
  conditionalTokens: Address;
  collateral: TokenInfo & { address: Address };
  conditionId: Hex;
  /** ERC-1155 position id of each outcome (collateral, collection of index set 1 << i). */
  positionIds: readonly bigint[];
  /** Trading fee in 1e18 fixed point. */
  fee: bigint;
}

/** One consistent reading of a market (every value at `blockNumber`). */
export interface MarketState extends MarketStatics {
  blockNumber: bigint;
  /** The market maker's balance of each outcome: the pool that sets prices. */
  poolBalances: readonly bigint[];
  /** Liquidity-provider shares in issue. */
  lpSupply: bigint;
  /** Set once the oracle reported; payoutDenominator 0 means unresolved. */
  payoutNumerators: readonly bigint[];
  payoutDenominator: bigint;
  /** The owner's shares of each outcome, when an owner was given. */
  ownerShares: readonly bigint[] | undefined;
}

export interface ReadMarketStateParameters {
  market: MarketInfo;
  /** Also read this account's outcome shares. */
  owner?: Address;
  blockNumber?: bigint;
}

const staticsCache = new Map<string, Promise<MarketStatics>>();

/**
 * Reads a market's pool, resolution and (optionally) an owner's shares in one multicall at one
 * block. The first read per market checks the registry against the chain (market maker trades the
 * condition the registry names, over the collateral it names), so a wrong entry fails loudly.
 */
export async function readMarketState(
  context: ChainContext,
  parameters: ReadMarketStateParameters,
): Promise<MarketState> {
  const statics = await getMarketStatics(context, parameters.market);
  const { conditionalTokens, conditionId, positionIds } = statics;
  const fpmm = parameters.market.fpmm;
  // cacheTime 0 (here and in every market read): viem caches the block number for a polling
  // interval, and a read right after one of our own trades must see that trade.
  const blockNumber =
    parameters.blockNumber ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const owner = parameters.owner;
  // Two typed multicalls at one block: the pool and totals, then one numerator per outcome.
  const [[poolBalances, ownerShares, lpSupply, payoutDenominator], payoutNumerators] =
    await Promise.all([
      context.publicClient.multicall({
        allowFailure: false,
        blockNumber,
        contracts: [
          {
            address: conditionalTokens,
            abi: conditionalTokensAbi,
            functionName: "balanceOfBatch",
            args: [positionIds.map(() => fpmm), [...positionIds]],
          },
          {
            address: conditionalTokens,
            abi: conditionalTokensAbi,
            functionName: "balanceOfBatch",
            args: [positionIds.map(() => owner ?? fpmm), [...positionIds]],
          },
          { address: fpmm, abi: fpmmAbi, functionName: "totalSupply" },
          {
            address: conditionalTokens,
            abi: conditionalTokensAbi,
            functionName: "payoutDenominator",
            args: [conditionId],
          },
        ],
      }),
      context.publicClient.multicall({
        allowFailure: false,
        blockNumber,
        contracts: positionIds.map(
          (_, index) =>
            ({
              address: conditionalTokens,
              abi: conditionalTokensAbi,
              functionName: "payoutNumerators",
              args: [conditionId, BigInt(index)],
            }) as const,
        ),
      }),
    ]);
  return {
    ...statics,
    blockNumber,
    poolBalances,
    lpSupply,
    payoutNumerators,
    payoutDenominator,
    ownerShares: owner ? ownerShares : undefined,
  };
}

/** A market's immutable facts (position ids, fee, collateral), checked against the chain once and cached. */
export function getMarketStatics(
  context: ChainContext,
  market: MarketInfo,
): Promise<MarketStatics> {
  const rpc = context.chain.rpcUrls.default.http[0] ?? "";
  const key = `${context.chain.id}:${rpc}:${market.fpmm.toLowerCase()}`;
  let cached = staticsCache.get(key);
  if (!cached) {
    cached = loadStatics(context, market);
    staticsCache.set(key, cached);
    // A failed check is not cached: the devnet may simply not have been brought up to date yet.
    cached.catch(() => staticsCache.delete(key));
  }
  return cached;
}

async function loadStatics(context: ChainContext, market: MarketInfo): Promise<MarketStatics> {
  const { conditionalTokens } = requirePredictionMarkets(context);
  const collateral = requireToken(context.network, market.collateral);
  const conditionId = marketConditionId(market);
  const mismatch = (what: string, cause?: unknown) =>
    new MarketMisconfiguredError(`Market ${market.name}: ${what}`, {
      cause,
      metaMessages: [
        `Registry: market maker ${market.fpmm}, ConditionalTokens ${conditionalTokens}.`,
        context.network === "devnet"
          ? "Restart the host so the devnet fixtures are brought up to date."
          : "Fix the market's entry in lib/chain/registry.ts.",
      ],
    });
  if (collateral.address === "native") throw mismatch("collateral must be an ERC-20 token");
  const collateralAddress = collateral.address;
  let onChain: readonly [Address, Address, Hex, bigint, bigint];
  try {
    onChain = await context.publicClient.multicall({
      allowFailure: false,
      contracts: [
        { address: market.fpmm, abi: fpmmAbi, functionName: "conditionalTokens" },
        { address: market.fpmm, abi: fpmmAbi, functionName: "collateralToken" },
        { address: market.fpmm, abi: fpmmAbi, functionName: "conditionIds", args: [0n] },
        { address: market.fpmm, abi: fpmmAbi, functionName: "fee" },
        {
          address: conditionalTokens,
          abi: conditionalTokensAbi,
          functionName: "getOutcomeSlotCount",
          args: [conditionId],
        },
      ],
    });
  } catch (error) {
    throw mismatch("the market maker or its condition could not be read on chain", error);
  }
  const [ctf, collateralToken, tradedCondition, fee, slots] = onChain;
  if (ctf.toLowerCase() !== conditionalTokens.toLowerCase())
    throw mismatch(`the market maker uses ConditionalTokens ${ctf}`);
  if (collateralToken.toLowerCase() !== collateralAddress.toLowerCase())
    throw mismatch(`the market maker's collateral is ${collateralToken}, not ${collateral.symbol}`);
  if (tradedCondition.toLowerCase() !== conditionId.toLowerCase())
    throw mismatch(`the market maker trades condition ${tradedCondition}, not ${conditionId}`);
  if (slots !== BigInt(market.outcomes.length))
    throw mismatch(
      `the condition has ${slots} outcome slots, the registry lists ${market.outcomes.length}`,
    );

  // Collection ids use elliptic-curve arithmetic on chain (CTHelpers), so ask the contract.
  const collectionIds = await context.publicClient.multicall({
    allowFailure: false,
    contracts: market.outcomes.map(
      (_, index) =>
        ({
          address: conditionalTokens,
          abi: conditionalTokensAbi,
          functionName: "getCollectionId",
          args: [`0x${"00".repeat(32)}`, conditionId, 1n << BigInt(index)],
        }) as const,
    ),
  });
  const positionIds = await context.publicClient.multicall({
    allowFailure: false,
    contracts: collectionIds.map(
      (collectionId) =>
        ({
          address: conditionalTokens,
          abi: conditionalTokensAbi,
          functionName: "getPositionId",
          args: [collateralAddress, collectionId],
        }) as const,
    ),
  });
  return {
    market,
    conditionalTokens,
    collateral: { ...collateral, address: collateralAddress },
    conditionId,
    positionIds,
    fee,
  };
}
