import { type Address, zeroAddress } from "viem";
import { factoryAbi, pairAbi } from "./abis.js";
import type { ChainContext } from "./clients.js";
import { NoRouteError } from "./errors.js";
import { type DexInfo, dexAddress, requireToken, type TokenInfo } from "./registry.js";
import { toBaseUnits } from "./units.js";

export interface QuoteSwapParameters {
  /** Symbols, aliases or addresses; "CRO" routes through WCRO. */
  tokenIn: string;
  tokenOut: string;
  /** Base units of tokenIn. */
  amountIn: bigint | string;
  /** Read at this block (defaults to latest). */
  blockNumber?: bigint;
}

export interface QuoteSwapReturnType {
  tokenIn: string;
  tokenOut: string;
  amountIn: string;
  /** Exact output the router would give at this block (Uniswap V2 formula on the pool reserves). */
  amountOut: string;
  /** ERC-20 path handed to the router (WCRO in place of CRO). */
  path: Address[];
  pairs: Address[];
  /** How far the pool moves against the trade, excluding the LP fee, in basis points (floor). */
  priceImpactBps: number;
  /** LP fee per hop in basis points. */
  feeBps: number;
  blockNumber: string;
}

interface Hop {
  pair: Address;
  reserveIn: bigint;
  reserveOut: bigint;
}

/** Quotes an exact-input swap from the pool reserves: amount out, route and price impact. */
export async function quoteSwap(
  context: ChainContext,
  parameters: QuoteSwapParameters,
): Promise<QuoteSwapReturnType> {
  const tokenIn = requireToken(context.network, parameters.tokenIn);
  const tokenOut = requireToken(context.network, parameters.tokenOut);
  const amountIn = toBaseUnits(parameters.amountIn);
  const dex = requireDex(context);
  const blockNumber = parameters.blockNumber ?? (await context.publicClient.getBlockNumber());
  const route = await findRoute(context, dex, tokenIn, tokenOut, blockNumber);

  const feeFactor = 10_000n - BigInt(dex.feeBps);
  let amount = amountIn;
  let ideal = amountIn;
  for (const hop of route.hops) {
    const inWithFee = amount * feeFactor;
    amount = (inWithFee * hop.reserveOut) / (hop.reserveIn * 10_000n + inWithFee);
    // The same hop at the mid price (fee taken, no pool movement).
    ideal = (ideal * feeFactor * hop.reserveOut) / (hop.reserveIn * 10_000n);
  }
  if (amount === 0n) {
    throw new NoRouteError(
      `${tokenIn.symbol} → ${tokenOut.symbol}: amount ${amountIn} is too small to get any output`,
    );
  }
  const priceImpactBps = ideal === 0n ? 0 : Number(((ideal - amount) * 10_000n) / ideal);
  return {
    tokenIn: tokenIn.symbol,
    tokenOut: tokenOut.symbol,
    amountIn: amountIn.toString(),
    amountOut: amount.toString(),
    path: route.path,
    pairs: route.hops.map((hop) => hop.pair),
    priceImpactBps,
    feeBps: dex.feeBps,
    blockNumber: blockNumber.toString(),
  };
}

/** The network's DEX, or NoRouteError where none is configured. */
export function requireDex(context: ChainContext): DexInfo {
  const dex = context.registry.dex;
  if (!dex) throw new NoRouteError(`No DEX is configured on ${context.network}`);
  return dex;
}

/** Direct pool when it exists, else a two-hop route through WCRO. */
async function findRoute(
  context: ChainContext,
  dex: DexInfo,
  tokenIn: TokenInfo,
  tokenOut: TokenInfo,
  blockNumber: bigint,
): Promise<{ path: Address[]; hops: Hop[] }> {
  const a = dexAddress(context.network, tokenIn);
  const b = dexAddress(context.network, tokenOut);
  if (a.toLowerCase() === b.toLowerCase()) {
    throw new NoRouteError(
      `${tokenIn.symbol} → ${tokenOut.symbol} is not a swap (same pool token)`,
    );
  }
  const direct = await readHop(context, dex, a, b, blockNumber);
  if (direct) return { path: [a, b], hops: [direct] };
  const wcro = context.registry.wrappedNative;
  if (a.toLowerCase() !== wcro.toLowerCase() && b.toLowerCase() !== wcro.toLowerCase()) {
    const [first, second] = await Promise.all([
      readHop(context, dex, a, wcro, blockNumber),
      readHop(context, dex, wcro, b, blockNumber),
    ]);
    if (first && second) return { path: [a, wcro, b], hops: [first, second] };
  }
  throw new NoRouteError(
    `No pool with liquidity for ${tokenIn.symbol} → ${tokenOut.symbol} on ${dex.name}`,
  );
}

async function readHop(
  context: ChainContext,
  dex: DexInfo,
  tokenIn: Address,
  tokenOut: Address,
  blockNumber: bigint,
): Promise<Hop | undefined> {
  const { publicClient } = context;
  const pair = await publicClient.readContract({
    address: dex.factory,
    abi: factoryAbi,
    functionName: "getPair",
    args: [tokenIn, tokenOut],
    blockNumber,
  });
  if (pair === zeroAddress) return undefined;
  const [token0, [reserve0, reserve1]] = await Promise.all([
    publicClient.readContract({ address: pair, abi: pairAbi, functionName: "token0", blockNumber }),
    publicClient.readContract({
      address: pair,
      abi: pairAbi,
      functionName: "getReserves",
      blockNumber,
    }),
  ]);
  if (reserve0 === 0n || reserve1 === 0n) return undefined;
  const inIsToken0 = token0.toLowerCase() === tokenIn.toLowerCase();
  return {
    pair,
    reserveIn: inIsToken0 ? reserve0 : reserve1,
    reserveOut: inIsToken0 ? reserve1 : reserve0,
  };
}
