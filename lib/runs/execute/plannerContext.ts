import type { Kysely } from "kysely";
import type { Address } from "viem";
import { heldUsdValue } from "../../actions/heldUsdValue.js";
import { readWholeBalance } from "../../actions/readWholeBalance.js";
import { PlanError } from "../../agent/errors.js";
import type { DiscoverFilter } from "../../agent/plan.js";
import type { PlannerContext, ServiceInfo } from "../../agent/planner.js";
import type { TokenList } from "../../agent/tokens.js";
import { getBudgetStatus } from "../../budget/getBudgetStatus.js";
import { checkSwapPrice } from "../../chain/averages/checkSwapPrice.js";
import { getChainContext } from "../../chain/clients.js";
import { quoteSwap } from "../../chain/quoteSwap.js";
import { findToken, requireToken } from "../../chain/registry.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import { plannerMarkets } from "../../markets/plannerMarkets.js";
import { approvalThresholdFor } from "../../policy/approvalThresholdFor.js";
import { chainPricer } from "../../policy/chainPricer.js";
import type { ResolvedPolicy } from "../../policy/resolvePolicy.js";
import { discoverServices } from "../../registry/discoverServices.js";
import { findServiceByNameOrUrl } from "../../registry/findServiceByNameOrUrl.js";
import type { ServiceView } from "../../registry/serviceView.js";
import { probePaymentPrice } from "../../x402/probePaymentPrice.js";
import type { RunOptions } from "../start/startRun.js";
import type { PlanningSession } from "./readRunToPlan.js";

/**
 * The real lookups the planner uses: the service registry, on-chain prices and DEX quotes.
 * `session`: the run's session limits, and `policy`: its key's policy, both read with the run
 * (readRunToPlan).
 */
export async function createPlannerContext(
  db: Kysely<Database>,
  run: Run,
  session: PlanningSession,
  tokens: TokenList,
  policy: ResolvedPolicy,
): Promise<PlannerContext> {
  const config = getConfig();
  const network = config.PAYGENT_NETWORK;
  const chain = getChainContext();
  const price = chainPricer(chain, db);
  const options = (run.options as RunOptions | null) ?? {};

  // The plan's quotes, so the price guard looks at the route the swap was planned on without
  // quoting it again (planSwap quotes the final amount just before it asks).
  const quotes = new Map<string, ReturnType<typeof quoteSwap>>();
  const quoteOnce = (tokenIn: string, tokenOut: string, amountIn: string) => {
    const key = `${tokenIn}:${tokenOut}:${amountIn}`;
    let quote = quotes.get(key);
    if (!quote) {
      quote = quoteSwap(chain, { tokenIn, tokenOut, amountIn: BigInt(amountIn) });
      // A failed quote is not kept: the plan step's retry asks again.
      quote.catch(() => quotes.delete(key));
      quotes.set(key, quote);
    }
    return quote;
  };

  const toServiceInfo = (service: ServiceView): ServiceInfo | undefined => {
    const token = findToken(network, service.price.asset);
    if (!token) return undefined; // priced in a token this network does not know: not payable here
    return {
      id: service.id,
      name: service.name,
      endpoint: service.endpoint,
      category: service.category,
      price: { amount: service.price.amount, token: token.symbol },
      reputation: Number(service.reputation),
      mcp: service.mcpCompatible,
    };
  };

  return {
    tokens,
    async findService(nameOrUrl) {
      const service = await findServiceByNameOrUrl(db, nameOrUrl);
      if (!service) return undefined;
      const info = toServiceInfo(service);
      // Registered, but not payable here: said as such. Passed off as "not registered", its URL
      // would be probed and paid as an unknown one, out of reach of rules on the service's id.
      if (!info) {
        throw new PlanError(
          `${service.name} is registered, priced in ${service.price.asset} on ${service.price.network}, which this deployment (${network}) cannot pay`,
          { suggestions: ["Register the service with a price on this network"] },
        );
      }
      return info;
    },
    async discoverServices(filter: DiscoverFilter) {
      const maxPriceToken = filter.maxPrice
        ? requireToken(network, filter.maxPrice.token)
        : undefined;
      const { services } = await discoverServices(db, {
        category: filter.category,
        q: filter.query,
        maxPrice: filter.maxPrice?.amount,
        minReputation: filter.minReputation,
        mcp: filter.mcp,
        limit: 50,
      });
      return services
        .filter(
          (s) =>
            !maxPriceToken ||
            maxPriceToken.address === "native" ||
            s.price.asset.toLowerCase() === maxPriceToken.address.toLowerCase(),
        )
        .map(toServiceInfo)
        .filter((s): s is ServiceInfo => s !== undefined);
    },
    // Held to the window of pool prices, like the policy's (the approval threshold and budgets are
    // decided here too); one pricer for the plan, so each token's price is read once.
    priceUsd: (token, amount, side) => heldUsdValue(price, token, amount, side),
    async quoteSwap({ tokenIn, tokenOut, amountIn }) {
      const quote = await quoteOnce(tokenIn, tokenOut, amountIn);
      return { amountOut: quote.amountOut.toString() };
    },
    // The swap step's guard, looked at first here: a swap it would refuse is not put to a person.
    async checkSwapPrice({ tokenIn, tokenOut, amountIn }) {
      if (config.SWAP_AVERAGE_MINUTES <= 0) return undefined;
      const quote = await quoteOnce(tokenIn, tokenOut, amountIn);
      const { refusal } = await checkSwapPrice(chain, db, {
        quote,
        averageMinutes: config.SWAP_AVERAGE_MINUTES,
        maxGapBps: config.SWAP_MAX_PRICE_GAP_BPS,
      });
      return refusal;
    },
    // grammar (issue 19): "all my CRO" and a URL with no amount.
    readWholeBalance: (token) => readWholeBalance(chain, { token }),
    async probePrice(url) {
      const price = await probePaymentPrice({
        url,
        chainId: chain.chain.id,
        allowedAssets: chain.registry.tokens
          .filter((t) => t.address !== "native" && t.eip712)
          .map((t) => ({ address: t.address as Address, symbol: t.symbol })),
      });
      return { amount: price.amount.toString(), token: price.symbol };
    },
    approvalThresholdUsd: approvalThresholdFor(
      policy.document,
      options.approvalThresholdUsd ?? session.approval_threshold_usd,
    ),
    budget: await remainingBudget(db, options, session),
    allowedActions: config.AGENT_ALLOWED_ACTIONS,
    policyAllowsBalance: policy.document.allowedActions.includes("balance"),
    // markets (issue 19): bet / sellShares / redeem plan through lib/markets on this network.
    markets: plannerMarkets(chain),
  };
}

/**
 * What the plan may spend: the command's budget, or else what is left of the session's token
 * budget. (Both are enforced again, atomically, when each action reserves its spend.)
 */
async function remainingBudget(
  db: Kysely<Database>,
  options: RunOptions,
  session: PlanningSession,
): Promise<PlannerContext["budget"]> {
  if (options.budget && options.budget.token !== "USD")
    return { amount: options.budget.amount, token: options.budget.token };
  if (!session.budget_amount || !session.budget_token || session.budget_token === "USD")
    return undefined;
  const status = await getBudgetStatus(db, session.id);
  return { amount: status.budget?.remaining ?? session.budget_amount, token: session.budget_token };
}
