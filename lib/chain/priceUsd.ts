import { ContractFunctionRevertedError, ContractFunctionZeroDataError, formatUnits } from "viem";
import { BaseError, type ErrorKind, isErrorNamed } from "../errors/index.js";
import { pairAbi } from "./abis.js";
import type { ChainContext } from "./clients.js";
import { quoteSwap } from "./quoteSwap.js";
import { requireToken, type TokenInfo } from "./registry.js";

/** USD values carry this many decimal places (exact, truncated, never a float). */
export const USD_DECIMALS = 6;

/** A token with no stablecoin peg and no pool to a stablecoin cannot be priced. */
export class PriceUnavailableError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "PriceUnavailableError";
}

export interface PriceUsdParameters {
  token: string;
  /** Base units of the token. */
  amount: bigint | string;
}

export interface PriceUsdReturnType {
  token: string;
  amount: string;
  /** Exact decimal string of US dollars with USD_DECIMALS places (truncated). */
  usd: string;
  /** Micro-dollars (base units of USD_DECIMALS) for arithmetic. */
  usdMicros: string;
  source: "peg" | "pool";
}

/**
 * USD value of a token amount: stablecoins at $1, anything else at the pool's mid price against the
 * network's USD stablecoin (reserves ratio, no fee, no impact), in exact decimal arithmetic.
 */
export async function priceUsd(
  context: ChainContext,
  parameters: PriceUsdParameters,
): Promise<PriceUsdReturnType> {
  const token = requireToken(context.network, parameters.token);
  const amount =
    typeof parameters.amount === "bigint" ? parameters.amount : BigInt(parameters.amount);
  if (amount < 0n) throw new PriceUnavailableError("Cannot price a negative amount");
  let micros: bigint;
  let source: PriceUsdReturnType["source"];
  if (token.stable) {
    micros = rescale(amount, token.decimals, USD_DECIMALS);
    source = "peg";
  } else {
    const stable = context.registry.tokens.find((candidate) => candidate.stable);
    if (!stable)
      throw new PriceUnavailableError(`No USD stablecoin is registered on ${context.network}`);
    micros = await midPriceValue(context, token, stable, amount);
    source = "pool";
  }
  return {
    token: token.symbol,
    amount: amount.toString(),
    usd: formatUnits(micros, USD_DECIMALS),
    usdMicros: micros.toString(),
    source,
  };
}

/** Value of `amount` of `token` in micro-dollars at the route's mid price (reserve ratios, fee added back). */
async function midPriceValue(
  context: ChainContext,
  token: TokenInfo,
  stable: TokenInfo,
  amount: bigint,
): Promise<bigint> {
  if (amount === 0n) return 0n;
  // A one-token quote finds the route (direct or through WCRO); the value then comes from the reserve
  // ratios along it, so neither the LP fee nor the trade's own impact skews a valuation.
  const probe = 10n ** BigInt(token.decimals);
  let quote: Awaited<ReturnType<typeof quoteSwap>>;
  try {
    quote = await quoteSwap(context, {
      tokenIn: token.symbol,
      tokenOut: stable.symbol,
      amountIn: probe,
    });
  } catch (error) {
    // Only a missing route means "no price". An RPC failure is not an answer about the pools: it
    // propagates with its own (transient) kind, so the gate retries instead of refusing as unpriced.
    if (!isErrorNamed(error, "NoRouteError") && !isNoContractAnswer(error)) throw error;
    throw new PriceUnavailableError(
      `No pool prices ${token.symbol} in ${stable.symbol} on ${context.network}`,
      { cause: error },
    );
  }
  const blockNumber = BigInt(quote.blockNumber);
  let numerator = amount;
  let denominator = 1n;
  for (let index = 0; index < quote.pairs.length; index++) {
    const pair = quote.pairs[index] as `0x${string}`;
    const tokenInAddress = (quote.path[index] as string).toLowerCase();
    const [token0, [reserve0, reserve1]] = await Promise.all([
      context.publicClient.readContract({
        address: pair,
        abi: pairAbi,
        functionName: "token0",
        blockNumber,
      }),
      context.publicClient.readContract({
        address: pair,
        abi: pairAbi,
        functionName: "getReserves",
        blockNumber,
      }),
    ]);
    const inIsToken0 = token0.toLowerCase() === tokenInAddress;
    numerator *= inIsToken0 ? reserve1 : reserve0;
    denominator *= inIsToken0 ? reserve0 : reserve1;
  }
  // numerator / denominator is in stable base units; rescale to micro-dollars before dividing.
  return rescaleFraction(numerator, denominator, stable.decimals, USD_DECIMALS);
}

function rescale(amount: bigint, fromDecimals: number, toDecimals: number): bigint {
  return toDecimals >= fromDecimals
    ? amount * 10n ** BigInt(toDecimals - fromDecimals)
    : amount / 10n ** BigInt(fromDecimals - toDecimals);
}

function rescaleFraction(
  numerator: bigint,
  denominator: bigint,
  fromDecimals: number,
  toDecimals: number,
): bigint {
  return toDecimals >= fromDecimals
    ? (numerator * 10n ** BigInt(toDecimals - fromDecimals)) / denominator
    : numerator / (denominator * 10n ** BigInt(fromDecimals - toDecimals));
}

/**
 * The chain's own answer that nothing is there to price with: a pool or factory call that returned
 * no data (no contract at the address) or reverted. Unlike a failed request, asking again changes
 * nothing, so it means "no price", not "retry".
 */
function isNoContractAnswer(error: unknown): boolean {
  // Walk the whole cause chain: our chain errors wrap viem's.
  for (let cause: unknown = error, depth = 0; cause && depth < 10; depth++) {
    if (
      cause instanceof ContractFunctionZeroDataError ||
      cause instanceof ContractFunctionRevertedError
    )
      return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
