import { formatDecimal } from "../decimal.js";
import { PlanError } from "../errors.js";
import type { PlannerContext } from "../planner.js";
import { findToken, type TokenInfo } from "../tokens.js";

/** The planner's token by symbol or alias; a PlanError for a token this network does not know. */
export function tokenOf(ctx: PlannerContext, symbol: string): TokenInfo {
  const token = findToken(ctx.tokens, symbol);
  if (!token) throw new PlanError(`Unknown token ${symbol}`);
  return token;
}

/** An exact amount for plan explanations ("10 CRO", "0.1 USDC"). */
export function show(ctx: PlannerContext, amount: bigint | string, symbol: string): string {
  return `${formatDecimal(BigInt(amount), tokenOf(ctx, symbol).decimals)} ${symbol}`;
}
