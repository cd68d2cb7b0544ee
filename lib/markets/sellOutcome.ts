import type { Kysely } from "kysely";
import { type Address, encodeFunctionData } from "viem";
import type { ChainContext } from "../chain/clients.js";
import {
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
import { conditionalTokensAbi, fpmmAbi } from "./abis.js";
import { quoteSell } from "./quoteSell.js";
import { getMarketStatics } from "./readMarketState.js";
import { requireMarket, requireOutcome } from "./requireMarket.js";
import { settleTrade } from "./settleTrade.js";
import { requireSlippageBps } from "./slippage.js";

export interface SellOutcomeParameters {
  /** Idempotency key: the workflow step id. The ConditionalTokens approval uses `${stepId}:approve`. */
  stepId: string;
  runId?: string | null;
  market: string;
  outcome: string | number;
  /** Shares to sell at most (base units), or "all" (the default): what the wallet holds. */
  shares?: bigint | string | "all";
  /** Tolerance on the collateral asked for, basis points (see quoteSell). */
  slippageBps: number;
  /**
   * An explicit floor on the collateral received (a plan's quote less its slippage): the sale asks
   * for the higher of it and the fresh quote's slippage floor, and a market that can no longer pay
   * it for the shares is refused (SlippageExceededError) before anything is sent.
   */
  minReturn?: bigint | string;
  receiptTimeoutMs?: number;
}

export interface SellOutcomeReturnType {
  hash: `0x${string}`;
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  outcome: string;
  collateral: string;
  /** Collateral received (the sale's exact returnAmount, from the FPMMSell event). */
  returnAmount: string;
  feeAmount: string;
  /** Shares the market maker took, from the FPMMSell event. */
  sharesSold: string;
  /** The sale's maxOutcomeTokensToSell and the quote at send time. */
  maxShares: string;
  quotedReturn: string;
  expectedSharesSold: string;
  blockNumber: string;
  gasCost: string;
  approvalHash?: `0x${string}`;
  reused: boolean;
}

interface SellDetails {
  market: string;
  fpmm: Address;
  outcomeIndex: number;
  /** The request as given ("all" or a base-unit amount): what a retry must repeat. */
  requested: string;
  maxShares: string;
  quotedReturn: string;
  returnAmount: string;
  expectedSharesSold: string;
  approvalHash?: `0x${string}`;
  approvalGasCost?: string;
  sharesSold?: string;
  feeAmount?: string;
}

/**
 * Sells outcome shares back to the market maker (FPMM sell of an exact returnAmount, capped by
 * maxOutcomeTokensToSell), first letting the market maker move the wallet's ConditionalTokens
 * positions (setApprovalForAll) when it may not yet. The sale asks for the fresh quote less
 * slippage, or `minReturn` when higher; a market that can no longer pay `minReturn` is refused
 * before anything is sent. Exactly once per stepId.
 */
export async function sellOutcome(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SellOutcomeParameters,
): Promise<SellOutcomeReturnType> {
  const market = requireMarket(context, parameters.market);
  const outcomeIndex = requireOutcome(market, parameters.outcome);
  requireSlippageBps(parameters.slippageBps);
  const requested =
    parameters.shares === undefined || parameters.shares === "all"
      ? "all"
      : toBaseUnits(parameters.shares).toString();
  const statics = await getMarketStatics(context, market);
  const owner = context.account.address;

  let row: ChainTransactionRow | undefined = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: parameters.stepId,
    kind: "market_sell",
  });
  let reused = row !== undefined;
  let details: SellDetails;
  let approval: SendApprovalReturnType | undefined;

  if (row) {
    details = row.details as SellDetails;
    if (
      details.fpmm.toLowerCase() !== market.fpmm.toLowerCase() ||
      details.outcomeIndex !== outcomeIndex ||
      details.requested !== requested
    ) {
      throw new StepConflictError(
        `Step ${parameters.stepId} already sent a different market sale (${row.hash})`,
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
    const quote = await quoteSell(context, {
      market: market.fpmm,
      outcome: outcomeIndex,
      shares: requested,
      slippageBps: parameters.slippageBps,
    });
    const quotedReturn = BigInt(quote.quotedReturn);
    const slippageFloor = BigInt(quote.returnAmount);
    const explicitFloor =
      parameters.minReturn === undefined ? 0n : toBaseUnits(parameters.minReturn);
    // A market pushed since the plan was quoted must not be sold into at the pushed price: refuse,
    // before any approval, when even every share allowed fetches less than the plan's floor.
    if (explicitFloor > quotedReturn) {
      throw new SlippageExceededError(
        `Sale in ${market.name} would return at most ${quotedReturn} now, less than the minimum ${explicitFloor} the plan allows; nothing was sent`,
      );
    }
    const returnAmount = explicitFloor > slippageFloor ? explicitFloor : slippageFloor;
    // The shares the market maker takes for a raised returnAmount, on the quote's block.
    const expectedSharesSold =
      returnAmount === slippageFloor
        ? BigInt(quote.expectedSharesSold)
        : await context.publicClient.readContract({
            address: market.fpmm,
            abi: fpmmAbi,
            functionName: "calcSellAmount",
            args: [returnAmount, BigInt(outcomeIndex)],
            blockNumber: BigInt(quote.blockNumber),
          });
    const approved = await context.publicClient.readContract({
      address: statics.conditionalTokens,
      abi: conditionalTokensAbi,
      functionName: "isApprovedForAll",
      args: [owner, market.fpmm],
    });
    if (!approval && !approved) {
      approval = await sendApproval(context, db, {
        stepId: parameters.stepId,
        runId: parameters.runId,
        action: `Approval of outcome shares for market ${market.name}`,
        to: statics.conditionalTokens,
        data: encodeFunctionData({
          abi: conditionalTokensAbi,
          functionName: "setApprovalForAll",
          args: [market.fpmm, true],
        }),
        details: { operator: market.fpmm },
        receiptTimeoutMs: parameters.receiptTimeoutMs,
      });
    }
    details = {
      market: market.name,
      fpmm: market.fpmm,
      outcomeIndex,
      requested,
      maxShares: quote.maxShares,
      quotedReturn: quote.quotedReturn,
      returnAmount: returnAmount.toString(),
      expectedSharesSold: expectedSharesSold.toString(),
      ...(approval
        ? { approvalHash: approval.hash, approvalGasCost: approval.gasCost.toString() }
        : {}),
    };
    try {
      const sent = await sendRecordedTransaction(context, db, {
        stepId: parameters.stepId,
        runId: parameters.runId,
        kind: "market_sell",
        action: `Sale of "${quote.outcome}" shares in ${market.name}`,
        to: market.fpmm,
        data: encodeFunctionData({
          abi: fpmmAbi,
          functionName: "sell",
          args: [returnAmount, BigInt(outcomeIndex), BigInt(quote.maxShares)],
        }),
        token: statics.collateral.symbol,
        amount: returnAmount,
        details: { ...details },
      });
      row = sent.row;
      reused = sent.reused;
    } catch (error) {
      if (
        error instanceof TransactionWouldRevertError &&
        /maximum sell amount exceeded/.test(error.reason ?? "")
      ) {
        throw new SlippageExceededError(
          `Sale in ${market.name} would need more than the ${quote.maxShares} shares allowed for ${returnAmount} (${returnAmount === slippageFloor ? `slippage ${parameters.slippageBps} bps from the quote` : "the plan's minimum"}); nothing was sent`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  const trade = await settleTrade(context, db, {
    row,
    reused,
    side: "sell",
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
    returnAmount: trade.returnAmount.toString(),
    feeAmount: trade.feeAmount.toString(),
    sharesSold: trade.shares.toString(),
    maxShares: details.maxShares,
    quotedReturn: details.quotedReturn,
    expectedSharesSold: details.expectedSharesSold,
    blockNumber: settled.blockNumber.toString(),
    gasCost: trade.gasCost.toString(),
    ...(trade.approvalHash ? { approvalHash: trade.approvalHash } : {}),
    reused,
  };
}
