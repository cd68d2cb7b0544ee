import { show } from "../../agent/planning/tokens.js";
import { MarketNotResolvedError, NoPositionError } from "../../markets/errors.js";
import { marketsOf, readMarket } from "../markets.js";
import type { Draft, IntentOf, PlanState } from "../types.js";

/**
 * Resolves the market and reads what the wallet's positions redeem for. A market the oracle has
 * not resolved, or one the wallet holds nothing in, is refused before anything runs.
 */
export async function planRedeem(intent: IntentOf<"redeem">, state: PlanState): Promise<Draft> {
  const markets = marketsOf(state);
  const market = await readMarket("the market", () => markets.find(intent.market));
  const { positions } = await readMarket("the wallet's positions", () => markets.positions());
  const position = positions.find((candidate) => candidate.market === market.name);
  if (!position) throw new NoPositionError(`No shares in ${market.name} to redeem`);
  if (position.status !== "resolved" || position.redeemable === null) {
    throw new MarketNotResolvedError(`Market ${market.name} is not resolved yet`, {
      metaMessages: ["Its oracle has not reported; sell the shares instead, or redeem later."],
    });
  }
  state.explanation.push(
    `Redeem ${market.name}: its positions pay ${show(state.context, position.redeemable, position.collateral)}.`,
  );
  return {
    action: {
      type: "redeem",
      market: market.name,
      token: position.collateral,
      expectedPayout: position.redeemable,
    },
  };
}
