import { PlanError } from "../agent/errors.js";
import type { MarketRef } from "../agent/intent.js";
import { isRpcUnavailable } from "../chain/isRpcUnavailable.js";
import { findToken } from "../chain/registry.js";
import { getConfig } from "../config.js";
import type { PlannerMarkets } from "../markets/plannerMarkets.js";
import { humanDecimal } from "./format.js";
import { unusableAnswer } from "./modelFields.js";
import type { PlanState } from "./types.js";

/** Pieces the prediction-market actions (bet, sellShares, redeem) share. */

/** The planner's market reads, or a plain refusal where the caller offers none. */
export function marketsOf(state: PlanState): PlannerMarkets {
  const markets = state.context.markets;
  if (!markets) throw new PlanError("Prediction markets are not available here");
  return markets;
}

/**
 * Runs a market read while planning: market errors keep their kind (unknown market, resolved,
 * not available on this network); an RPC that did not answer is transient, so the plan step
 * retries it instead of failing the run.
 */
export async function readMarket<T>(what: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (typeof (error as { kind?: unknown } | null)?.kind === "string") throw error;
    throw new PlanError(`Could not read ${what}`, {
      cause: error,
      ...(isRpcUnavailable(error) ? { kind: "transient" as const } : {}),
    });
  }
}

/** Outcome shares as a person reads them ("12.34 shares"); shares carry the collateral's decimals. */
export function formatShares(shares: bigint | string, collateral: string): string {
  const token = findToken(getConfig().PAYGENT_NETWORK, collateral);
  if (!token) return `${shares} share units`;
  return `${humanDecimal(BigInt(shares), token.decimals)} shares`;
}

/** The outcome label as the market writes it ("Yes"), or as asked when the market is unknown. */
export function outcomeLabel(labels: readonly string[], outcome: string): string {
  return labels.find((label) => label.toLowerCase() === outcome.toLowerCase()) ?? outcome;
}

/** A market as the model named it: a bare short name, or its question. */
export function marketRefFromModel(market: string): MarketRef {
  const text = market.trim();
  if (!text) throw unusableAnswer("The model did not name a market");
  return /^[a-z0-9][a-z0-9.\-_]*$/i.test(text)
    ? { type: "name", name: text }
    : { type: "question", question: text };
}
