import type { Address } from "viem";
import { pairAbi } from "../abis.js";
import type { ChainContext } from "../clients.js";

/** 2^112: the pair's prices are UQ112.112 fixed-point numbers. */
export const Q112 = 1n << 112n;
const MOD_256 = 1n << 256n;
const MOD_32 = 1n << 32n;

/** A pair's oracle at one block, as of that block's timestamp. */
export interface PairCumulatives {
  pair: Address;
  token0: Address;
  blockNumber: bigint;
  /** The block's timestamp, seconds. */
  timestamp: bigint;
  reserve0: bigint;
  reserve1: bigint;
  /** Σ price × seconds (UQ112.112, modulo 2^256) up to `timestamp`, token0 priced in token1. */
  price0Cumulative: bigint;
  /** The same, token1 priced in token0. */
  price1Cumulative: bigint;
}

/**
 * Reads a Uniswap V2 (VVS) pair's cumulative prices at a block, carried forward from the pair's last
 * trade to the block's own timestamp with the reserves it holds (UniswapV2OracleLibrary's
 * currentCumulativePrices). The pair writes its accumulators only when it trades; adding the
 * seconds since then at the current price is what a trade at this block would write.
 */
export async function readPairCumulatives(
  context: ChainContext,
  parameters: { pair: Address; blockNumber: bigint },
): Promise<PairCumulatives> {
  const { pair, blockNumber } = parameters;
  const at = { address: pair, abi: pairAbi, blockNumber } as const;
  const [token0, [reserve0, reserve1, lastTrade], price0Last, price1Last, block] =
    await Promise.all([
      context.publicClient.readContract({ ...at, functionName: "token0" }),
      context.publicClient.readContract({ ...at, functionName: "getReserves" }),
      context.publicClient.readContract({ ...at, functionName: "price0CumulativeLast" }),
      context.publicClient.readContract({ ...at, functionName: "price1CumulativeLast" }),
      context.publicClient.getBlock({ blockNumber }),
    ]);
  let price0Cumulative = price0Last;
  let price1Cumulative = price1Last;
  // uint32 seconds, wrapping as the pair's own arithmetic does.
  const elapsed = (((block.timestamp - BigInt(lastTrade)) % MOD_32) + MOD_32) % MOD_32;
  if (elapsed > 0n && reserve0 > 0n && reserve1 > 0n) {
    price0Cumulative = (price0Cumulative + ((reserve1 * Q112) / reserve0) * elapsed) % MOD_256;
    price1Cumulative = (price1Cumulative + ((reserve0 * Q112) / reserve1) * elapsed) % MOD_256;
  }
  return {
    pair,
    token0,
    blockNumber,
    timestamp: block.timestamp,
    reserve0,
    reserve1,
    price0Cumulative,
    price1Cumulative,
  };
}
