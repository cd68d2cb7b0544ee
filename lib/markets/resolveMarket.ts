import { createWalletClient, type Hash, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainContext } from "../chain/clients.js";
import { devnetAccount } from "../chain/devnet/devnetAccounts.js";
import { TransactionRevertedError } from "../chain/errors.js";
import { conditionalTokensAbi } from "./abis.js";
import { MarketResolutionError } from "./errors.js";
import { readMarketState } from "./readMarketState.js";
import { requireMarket, requireOutcome } from "./requireMarket.js";

export interface ResolveMarketParameters {
  market: string;
  /** The winning outcome (label or index): it pays 1, the others 0. */
  outcome?: string | number;
  /** Or explicit payout numerators, one per outcome ([1, 1] splits the collateral evenly). */
  payouts?: readonly (bigint | number | string)[];
}

export interface ResolveMarketReturnType {
  market: string;
  /** The reportPayouts transaction; null when the oracle had already reported these payouts. */
  hash: Hash | null;
  payoutNumerators: string[];
  payoutDenominator: string;
}

/**
 * Reports a devnet market's outcome as its oracle (ConditionalTokens.reportPayouts). Devnet only:
 * it signs with the public anvil oracle account, for tests and `npm run markets:resolve`. Reporting
 * the same payouts again is a no-op; different ones are refused (the contract allows one report).
 */
export async function resolveMarket(
  context: ChainContext,
  parameters: ResolveMarketParameters,
): Promise<ResolveMarketReturnType> {
  if (context.network !== "devnet") {
    throw new MarketResolutionError(
      `Markets are resolved by their oracle; Paygent only plays the oracle on the devnet, not on ${context.network}`,
      { kind: "refused" },
    );
  }
  const market = requireMarket(context, parameters.market);
  const oracle = devnetAccount("oracle");
  if (market.oracle.toLowerCase() !== oracle.address.toLowerCase()) {
    throw new MarketResolutionError(
      `Market ${market.name} is resolved by ${market.oracle}, not the devnet oracle`,
      { kind: "refused" },
    );
  }
  const payouts = payoutsFor(market.outcomes.length, parameters, (outcome) =>
    requireOutcome(market, outcome),
  );
  const state = await readMarketState(context, { market });
  if (state.payoutDenominator > 0n) {
    const same = state.payoutNumerators.every((numerator, index) => numerator === payouts[index]);
    if (!same) {
      throw new MarketResolutionError(
        `Market ${market.name} is already resolved with payouts [${state.payoutNumerators.join(", ")}]`,
      );
    }
    return {
      market: market.name,
      hash: null,
      payoutNumerators: state.payoutNumerators.map(String),
      payoutDenominator: state.payoutDenominator.toString(),
    };
  }
  const wallet = createWalletClient({
    account: privateKeyToAccount(oracle.privateKey as Hex),
    chain: context.chain,
    transport: http(context.chain.rpcUrls.default.http[0]),
  });
  const { request } = await context.publicClient.simulateContract({
    account: wallet.account,
    address: state.conditionalTokens,
    abi: conditionalTokensAbi,
    functionName: "reportPayouts",
    args: [market.questionId, payouts],
  });
  const hash = await wallet.writeContract(request);
  const receipt = await context.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new TransactionRevertedError({ hash });
  return {
    market: market.name,
    hash,
    payoutNumerators: payouts.map(String),
    payoutDenominator: payouts.reduce((sum, payout) => sum + payout, 0n).toString(),
  };
}

function payoutsFor(
  count: number,
  parameters: ResolveMarketParameters,
  outcomeIndex: (outcome: string | number) => number,
): bigint[] {
  if (parameters.payouts !== undefined) {
    const payouts = parameters.payouts.map((payout) => {
      const text = String(payout).trim();
      if (!/^\d+$/.test(text)) {
        throw new MarketResolutionError(`Payouts must be non-negative integers, got "${text}"`, {
          kind: "invalid",
        });
      }
      return BigInt(text);
    });
    if (payouts.length !== count || payouts.every((payout) => payout === 0n)) {
      throw new MarketResolutionError(
        `Give ${count} payout numerators, not all zero (got [${payouts.join(", ")}])`,
        { kind: "invalid" },
      );
    }
    return payouts;
  }
  if (parameters.outcome === undefined) {
    throw new MarketResolutionError("Name the winning outcome or the payouts", { kind: "invalid" });
  }
  const winner = outcomeIndex(parameters.outcome);
  return Array.from({ length: count }, (_, index) => (index === winner ? 1n : 0n));
}
