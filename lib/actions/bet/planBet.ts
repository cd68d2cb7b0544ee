import { PlanError } from "../../agent/errors.js";
import { DEFAULT_SLIPPAGE_BPS } from "../../agent/planner.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import { formatShares, marketsOf, readMarket } from "../markets.js";
import type { Draft, IntentOf, PlanState } from "../types.js";

/**
 * Resolves the market, checks the bet is in its collateral, and quotes it: the shares
 * calcBuyAmount gives now, less slippage, become the bet's floor. The spend is the collateral.
 */
export async function planBet(intent: IntentOf<"bet">, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  const markets = marketsOf(state);
  tokenOf(ctx, intent.token);
  const market = await readMarket("the market", () => markets.find(intent.market));
  if (market.collateral !== intent.token) {
    throw new PlanError(
      `Market ${market.name} trades in ${market.collateral}, not ${intent.token}`,
      {
        suggestions: [`e.g. "bet 5 ${market.collateral} on ${intent.outcome} in ${market.name}"`],
      },
    );
  }
  const slippageBps = ctx.defaultSlippageBps ?? DEFAULT_SLIPPAGE_BPS;
  const quote = await readMarket(`a quote for ${market.name}`, () =>
    markets.quoteBuy({
      market: market.name,
      outcome: intent.outcome,
      amount: intent.amount,
      slippageBps,
    }),
  );
  if (BigInt(quote.expectedShares) === 0n) {
    throw new PlanError(`The quote for ${show(ctx, intent.amount, intent.token)} buys no shares`);
  }
  state.explanation.push(
    `Bet ${show(ctx, intent.amount, intent.token)} on ${quote.outcome} in ${market.name} ("${market.question}"): about ${formatShares(quote.expectedShares, intent.token)} (at least ${formatShares(quote.minShares, intent.token)} with ${slippageBps / 100}% slippage).`,
  );
  return {
    action: {
      type: "bet",
      market: market.name,
      outcome: quote.outcome,
      token: intent.token,
      amount: intent.amount,
      slippageBps,
      expectedShares: quote.expectedShares,
      minShares: quote.minShares,
    },
    spend: { token: intent.token, amount: BigInt(intent.amount) },
  };
}
