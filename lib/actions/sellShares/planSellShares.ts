import { DEFAULT_SLIPPAGE_BPS } from "../../agent/planner.js";
import { show } from "../../agent/planning/tokens.js";
import { formatShares, marketsOf, readMarket } from "../markets.js";
import type { Draft, IntentOf, PlanState } from "../types.js";

/**
 * Resolves the market and quotes selling every share of the outcome the wallet holds (a wallet
 * holding none is refused here, before anything runs). Spends nothing: shares go, collateral comes.
 */
export async function planSellShares(
  intent: IntentOf<"sellShares">,
  state: PlanState,
): Promise<Draft> {
  const ctx = state.context;
  const markets = marketsOf(state);
  const market = await readMarket("the market", () => markets.find(intent.market));
  const slippageBps = ctx.defaultSlippageBps ?? DEFAULT_SLIPPAGE_BPS;
  const quote = await readMarket(`a quote for ${market.name}`, () =>
    markets.quoteSell({ market: market.name, outcome: intent.outcome, shares: "all", slippageBps }),
  );
  state.explanation.push(
    `Sell ${formatShares(quote.sharesHeld, quote.collateral)} of ${quote.outcome} in ${market.name} for about ${show(ctx, quote.quotedReturn, quote.collateral)} (at least ${show(ctx, quote.returnAmount, quote.collateral)} with ${slippageBps / 100}% slippage).`,
  );
  return {
    action: {
      type: "sellShares",
      market: market.name,
      outcome: quote.outcome,
      token: quote.collateral,
      slippageBps,
      shares: quote.sharesHeld,
      quotedReturn: quote.quotedReturn,
    },
  };
}
