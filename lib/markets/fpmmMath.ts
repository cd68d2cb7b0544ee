/**
 * The fixed-product market maker's arithmetic, replicated in bigint exactly as
 * FixedProductMarketMaker.sol 1.8.1 computes it (same rounding), so sales can be sized without a
 * round trip per guess. Buys and sells still quote on chain; tests pin these against the contract.
 */

/** The FPMM's fixed point (fee is a fraction of ONE). */
export const FPMM_ONE = 10n ** 18n;

const ceildiv = (x: bigint, y: bigint): bigint => (x > 0n ? (x - 1n) / y + 1n : x / y);

export interface PoolParameters {
  /** The market maker's balance of each outcome position. */
  poolBalances: readonly bigint[];
  /** Trading fee in FPMM_ONE fixed point (10^16 = 1 %). */
  fee: bigint;
  outcomeIndex: number;
}

/** Outcome shares `investment` collateral buys (FixedProductMarketMaker.calcBuyAmount). */
export function calcBuyAmount(parameters: PoolParameters & { investment: bigint }): bigint {
  const { poolBalances, fee, outcomeIndex, investment } = parameters;
  const afterFee = investment - (investment * fee) / FPMM_ONE;
  const buyBalance = poolBalances[outcomeIndex] as bigint;
  let ending = buyBalance * FPMM_ONE;
  poolBalances.forEach((balance, index) => {
    if (index !== outcomeIndex) ending = ceildiv(ending * balance, balance + afterFee);
  });
  if (ending <= 0n) throw new RangeError("must have non-zero balances");
  return buyBalance + afterFee - ceildiv(ending, FPMM_ONE);
}

/**
 * Outcome shares the pool takes to pay out `returnAmount` collateral
 * (FixedProductMarketMaker.calcSellAmount); undefined where the contract would revert (the pool
 * cannot pay that much).
 */
export function calcSellAmount(
  parameters: PoolParameters & { returnAmount: bigint },
): bigint | undefined {
  const { poolBalances, fee, outcomeIndex, returnAmount } = parameters;
  const plusFees = (returnAmount * FPMM_ONE) / (FPMM_ONE - fee);
  const sellBalance = poolBalances[outcomeIndex] as bigint;
  let ending = sellBalance * FPMM_ONE;
  for (const [index, balance] of poolBalances.entries()) {
    if (index === outcomeIndex) continue;
    if (balance <= plusFees) return undefined;
    ending = ceildiv(ending * balance, balance - plusFees);
  }
  if (ending <= 0n) return undefined;
  return plusFees + ceildiv(ending, FPMM_ONE) - sellBalance;
}

/**
 * The most collateral a sale of at most `shares` outcome shares can ask for: the largest
 * returnAmount whose calcSellAmount is ≤ shares (calcSellAmount rises with returnAmount, so a
 * binary search finds it in ~40 steps).
 */
export function maxSellReturn(parameters: PoolParameters & { shares: bigint }): bigint {
  const { shares } = parameters;
  let low = 0n;
  // Exclusive bound: a sale never returns more than the shares sold, and returnAmount plus fees
  // must stay below every other pool balance (bigint has no Math.min).
  let high = shares + 1n;
  for (const [index, balance] of parameters.poolBalances.entries()) {
    if (index !== parameters.outcomeIndex && balance < high) high = balance;
  }
  while (high - low > 1n) {
    const middle = (low + high) / 2n;
    const needed = calcSellAmount({ ...parameters, returnAmount: middle });
    if (needed !== undefined && needed <= shares) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * Marginal prices: outcome i costs Π_{j≠i} b_j / Σ_k Π_{j≠k} b_j of one collateral unit, so they sum
 * to one. Returned in collateral base units per whole share (`unit` = 10^decimals), rounded down;
 * undefined for an unfunded pool.
 */
export function marginalPrices(
  poolBalances: readonly bigint[],
  unit: bigint,
): bigint[] | undefined {
  if (poolBalances.length === 0 || poolBalances.some((balance) => balance === 0n)) return undefined;
  const products = poolBalances.map((_, i) =>
    poolBalances.reduce((product, balance, j) => (j === i ? product : product * balance), 1n),
  );
  const total = products.reduce((sum, product) => sum + product, 0n);
  return products.map((product) => (product * unit) / total);
}

/**
 * The pool's outcome shares valued at its own marginal prices, in collateral base units:
 * Σ_i b_i · p_i = n · Π b / Σ_k Π_{j≠k} b_j, computed without rounding the prices first.
 */
export function poolValue(poolBalances: readonly bigint[]): bigint {
  if (poolBalances.length === 0 || poolBalances.some((balance) => balance === 0n)) return 0n;
  const all = poolBalances.reduce((product, balance) => product * balance, 1n);
  const total = poolBalances.reduce((sum, balance) => sum + all / balance, 0n);
  return (BigInt(poolBalances.length) * all) / total;
}
