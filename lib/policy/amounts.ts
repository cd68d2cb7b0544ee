import { formatDecimal, parseDecimal } from "../agent/decimal.js";
import { findToken } from "../chain/registry.js";
import type { NetworkName } from "../config.js";
import { PolicyRuleError } from "./errors.js";
import { type PolicyLimit, USD } from "./schemas.js";

/** Micro-dollars: USD amounts carry 6 decimals, like lib/chain/priceUsd. */
export const USD_MICRO_DECIMALS = 6;

/**
 * USD value, in micro-dollars, of `amount` base units of a token; null when the token cannot be
 * priced (no peg, no pool). Transient failures (RPC down) throw instead.
 */
export type PriceUsd = (token: string, amount: bigint, side?: PriceSide) => Promise<bigint | null>;

/**
 * Which way a price may err (chainPricer): "spend" values what an action moves, so a higher price
 * is the strict one; "limit" converts into a limit's token (dividing by its price), so a lower
 * price is. Default "spend".
 */
export type PriceSide = "spend" | "limit";

/** A unit the engine counts in: "USD" (micro-dollars) or a token symbol (base units). */
export interface Unit {
  /** "USD" or the registry's upper-case symbol. */
  name: string;
  decimals: number;
  /** Pegged to one US dollar (USD itself, stablecoins). */
  stable?: boolean;
}

/** The unit of a token symbol or "USD"; undefined for a token the network does not know. */
export function unitOf(network: NetworkName, token: string): Unit | undefined {
  if (token.toUpperCase() === USD) return { name: USD, decimals: USD_MICRO_DECIMALS, stable: true };
  const info = findToken(network, token);
  return info
    ? { name: info.symbol.toUpperCase(), decimals: info.decimals, stable: info.stable }
    : undefined;
}

/**
 * A policy limit in its unit's base units (micro-dollars for USD). Throws PolicyRuleError naming
 * `rule` for a token the network does not know or an amount finer than the token's decimals.
 */
export function limitOf(
  network: NetworkName,
  limit: PolicyLimit,
  rule: string,
): { unit: Unit; amount: bigint } {
  const unit = unitOf(network, limit.token);
  if (!unit)
    throw new PolicyRuleError(rule, `${rule}: ${limit.token} is not a token on ${network}`);
  try {
    return { unit, amount: parseDecimal(limit.amount, unit.decimals) };
  } catch {
    throw new PolicyRuleError(
      rule,
      `${rule}: ${limit.amount} ${unit.name} has more than ${unit.decimals} decimal places`,
    );
  }
}

/** "30 USDC", "10 USD": base units shown in whole tokens (or dollars). */
export function formatAmount(unit: Unit, amount: bigint): string {
  return `${formatDecimal(amount, unit.decimals)} ${unit.name}`;
}

/** Integer division rounded up: conversions for limits may only make a check stricter. */
export function divideUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * Memoises a pricer for one evaluation, so one gate prices each (token, amount) once and every
 * rule sees the same price.
 */
export function memoPrice(price: PriceUsd): PriceUsd {
  const seen = new Map<string, Promise<bigint | null>>();
  return (token, amount, side = "spend") => {
    const key = `${token.toUpperCase()}:${amount}:${side}`;
    let value = seen.get(key);
    if (!value) {
      value = price(token, amount, side);
      seen.set(key, value);
    }
    return value;
  };
}

/**
 * The value of a spend in `unit`: base units when it is the spend's own token, its micro-dollar
 * value for USD, else converted through USD at the unit's price (rounded up). null = unpriced.
 */
export async function valueIn(parameters: {
  unit: Unit;
  spend: { unit: Unit; amount: bigint };
  usdMicros: bigint | null;
  price: PriceUsd;
}): Promise<bigint | null> {
  const { unit, spend, usdMicros } = parameters;
  if (unit.name === spend.unit.name) return spend.amount;
  if (usdMicros === null) return null;
  if (unit.name === USD) return usdMicros;
  const perWhole = await parameters.price(unit.name, 10n ** BigInt(unit.decimals), "limit");
  if (perWhole === null || perWhole === 0n) return null;
  return divideUp(usdMicros * 10n ** BigInt(unit.decimals), perWhole);
}
