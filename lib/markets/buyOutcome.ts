import type { Kysely } from "kysely";
import { type Address, encodeFunctionData, erc20Abi } from "viem";
import type { ChainContext } from "../chain/clients.js";
import {
  InsufficientBalanceError,
  SlippageExceededError,
  StepConflictError,
  TransactionWouldRevertError,
} from "../chain/errors.js";
import { readStepApproval } from "../chain/readStepApproval.js";
import { type SendApprovalReturnType, sendApproval } from "../chain/sendApproval.js";
import {
  type ChainTransactionRow,
  findStepTransaction,
  sendRecordedTransaction,
} from "../chain/sendRecordedTransaction.js";
import { toBaseUnits } from "../chain/units.js";
import type { Database } from "../db/database.js";
import { fpmmAbi } from "./abis.js";
import { quoteBuy } from "./quoteBuy.js";
import { getMarketStatics } from "./readMarketState.js";
import { requireMarket, requireOutcome } from "./requireMarket.js";
import { settleTrade } from "./settleTrade.js";
import { requireSlippageBps } from "./slippage.js";

export interface BuyOutcomeParameters {
  /** Idempotency key: the workflow step id. The collateral approval (when needed) uses `${stepId}:approve`. */
  stepId: string;
  runId?: string | null;
  /** Short name, market maker address or condition id. */
  market: string;
  /** Outcome label ("yes") or index. */
  outcome: string | number;
  /** Collateral to spend, base units (the market maker's fee comes out of it). */
  amount: bigint | string;
  /** Tolerated shortfall in shares against calcBuyAmount, basis points. */
  slippageBps: number;
  /** An explicit floor on the shares ("at least 12 shares"); the higher of it and the slippage floor applies. */
  minShares?: bigint | string;
  /** How long to wait for each receipt before TransactionPendingError. */
  receiptTimeoutMs?: number;
}

export interface BuyOutcomeReturnType {
  hash: `0x${string}`;
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  outcome: string;
  collateral: string;
  investmentAmount: string;
  feeAmount: string;
  /** Shares received, read from the receipt's FPMMBuy event. */
  sharesBought: string;
  /** The quote at send time and the minimum the market maker had to honour. */
  expectedShares: string;
  minShares: string;
  /** ERC-1155 id of the outcome position on ConditionalTokens. */
  positionId: string;
  blockNumber: string;
  /** Native base units of gas paid by the buy (and its approval, when one was sent). */
  gasCost: string;
  approvalHash?: `0x${string}`;
  reused: boolean;
}

interface BuyDetails {
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  investmentAmount: string;
  expectedShares: string;
  minShares: string;
  approvalHash?: `0x${string}`;
  approvalGasCost?: string;
  sharesBought?: string;
  feeAmount?: string;
}

/**
 * Buys outcome shares of a prediction market with collateral (FPMM buy, with minOutcomeTokensToBuy
 * from calcBuyAmount less slippage), approving the collateral first when the allowance is short.
 * Exactly once per stepId: the signed transaction is recorded before broadcast
 * (sendRecordedTransaction), and a retry finds it instead of buying again.
 */
export async function buyOutcome(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: BuyOutcomeParameters,
): Promise<BuyOutcomeReturnType> {
  const market = requireMarket(context, parameters.market);
  const outcomeIndex = requireOutcome(market, parameters.outcome);
  const investmentAmount = toBaseUnits(parameters.amount);
  requireSlippageBps(parameters.slippageBps);
  const statics = await getMarketStatics(context, market);
  const owner = context.account.address;

  let row: ChainTransactionRow | undefined = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: parameters.stepId,
    kind: "market_buy",
  });
  let reused = row !== undefined;
  let details: BuyDetails;
  let approval: SendApprovalReturnType | undefined;

  if (row) {
    details = row.details as BuyDetails;
    if (
      details.fpmm.toLowerCase() !== market.fpmm.toLowerCase() ||
      details.outcomeIndex !== outcomeIndex ||
      details.investmentAmount !== investmentAmount.toString()
    ) {
      throw new StepConflictError(
        `Step ${parameters.stepId} already sent a different market buy (${row.hash})`,
      );
    }
  } else {
    // An earlier attempt of this step may have sent the approval and stopped waiting for it: it is
    // this step's gas and hash whether or not the allowance still needs it, and reading it first
    // marks it mined, so a refusal below (a market moved) still books its gas (bookFailedStepGas).
    approval = await readStepApproval(context, db, {
      stepId: parameters.stepId,
      receiptTimeoutMs: parameters.receiptTimeoutMs,
    });
    const quote = await quoteBuy(context, {
      market: market.fpmm,
      outcome: outcomeIndex,
      amount: investmentAmount,
      slippageBps: parameters.slippageBps,
    });
    const slippageFloor = BigInt(quote.minShares);
    const explicitFloor =
      parameters.minShares === undefined ? 0n : toBaseUnits(parameters.minShares);
    const minShares = explicitFloor > slippageFloor ? explicitFloor : slippageFloor;
    const collateral = statics.collateral.address;
    const [available, allowance] = await Promise.all([
      context.publicClient.readContract({
        address: collateral,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      }),
      context.publicClient.readContract({
        address: collateral,
        abi: erc20Abi,
        functionName: "allowance",
        args: [owner, market.fpmm],
      }),
    ]);
    if (available < investmentAmount) {
      throw new InsufficientBalanceError({
        token: statics.collateral.symbol,
        required: investmentAmount,
        available,
      });
    }
    if (!approval && allowance < investmentAmount) {
      approval = await sendApproval(context, db, {
        stepId: parameters.stepId,
        runId: parameters.runId,
        action: `Approval of ${statics.collateral.symbol} for market ${market.name}`,
        to: collateral,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: "approve",
          args: [market.fpmm, investmentAmount],
        }),
        token: statics.collateral.symbol,
        amount: investmentAmount,
        details: { spender: market.fpmm },
        receiptTimeoutMs: parameters.receiptTimeoutMs,
      });
    }
    details = {
      market: market.name,
      fpmm: market.fpmm,
      outcomeIndex,
      investmentAmount: investmentAmount.toString(),
      expectedShares: quote.expectedShares,
      minShares: minShares.toString(),
      ...(approval
        ? { approvalHash: approval.hash, approvalGasCost: approval.gasCost.toString() }
        : {}),
    };
    try {
      const sent = await sendRecordedTransaction(context, db, {
        stepId: parameters.stepId,
        runId: parameters.runId,
        kind: "market_buy",
        action: `Bet on "${quote.outcome}" in ${market.name}`,
        to: market.fpmm,
        data: encodeFunctionData({
          abi: fpmmAbi,
          functionName: "buy",
          args: [investmentAmount, BigInt(outcomeIndex), minShares],
        }),
        token: statics.collateral.symbol,
        amount: investmentAmount,
        details: { ...details },
      });
      row = sent.row;
      reused = sent.reused;
    } catch (error) {
      if (
        error instanceof TransactionWouldRevertError &&
        /minimum buy amount not reached/.test(error.reason ?? "")
      ) {
        throw new SlippageExceededError(
          `Bet in ${market.name} would buy fewer than the minimum ${minShares} shares (quoted ${quote.expectedShares}, slippage ${parameters.slippageBps} bps); nothing was sent`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  const trade = await settleTrade(context, db, {
    row,
    reused,
    side: "buy",
    fpmm: market.fpmm,
    details,
    approval,
    receiptTimeoutMs: parameters.receiptTimeoutMs,
  });
  const { settled } = trade;
  return {
    hash: settled.hash,
    market: market.name,
    fpmm: market.fpmm,
    outcomeIndex,
    outcome: market.outcomes[outcomeIndex] as string,
    collateral: statics.collateral.symbol,
    investmentAmount: investmentAmount.toString(),
    feeAmount: trade.feeAmount.toString(),
    sharesBought: trade.shares.toString(),
    expectedShares: details.expectedShares,
    minShares: details.minShares,
    positionId: (statics.positionIds[outcomeIndex] as bigint).toString(),
    blockNumber: settled.blockNumber.toString(),
    gasCost: trade.gasCost.toString(),
    ...(trade.approvalHash ? { approvalHash: trade.approvalHash } : {}),
    reused,
  };
}
