import type { Kysely } from "kysely";
import { type Address, encodeFunctionData, parseEventLogs, zeroHash } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { StepConflictError } from "../chain/errors.js";
import {
  type ChainTransactionRow,
  findStepTransaction,
  markRow,
  sendRecordedTransaction,
  settleRecordedTransaction,
} from "../chain/sendRecordedTransaction.js";
import type { Database } from "../db/database.js";
import { conditionalTokensAbi } from "./abis.js";
import { MarketNotResolvedError, NoPositionError } from "./errors.js";
import { getMarketStatics, readMarketState } from "./readMarketState.js";
import { requireMarket } from "./requireMarket.js";

export interface RedeemPositionsParameters {
  /** Idempotency key: the workflow step id. */
  stepId: string;
  runId?: string | null;
  market: string;
  receiptTimeoutMs?: number;
}

export interface RedeemPositionsReturnType {
  hash: `0x${string}`;
  market: string;
  collateral: string;
  /** Collateral paid out, from the PayoutRedemption event. */
  payout: string;
  /** Σ shares × numerator / denominator at send time (what the contract computes). */
  expectedPayout: string;
  /** The shares burnt, per outcome held. */
  redeemed: { index: number; outcome: string; shares: string }[];
  blockNumber: string;
  gasCost: string;
  reused: boolean;
}

interface RedeemDetails {
  market: string;
  fpmm: Address;
  conditionId: string;
  indexSets: string[];
  redeemed: { index: number; outcome: string; shares: string }[];
  expectedPayout: string;
  payout?: string;
}

/**
 * Redeems every outcome position the wallet holds in a resolved market for collateral
 * (ConditionalTokens.redeemPositions). Exactly once per stepId.
 */
export async function redeemPositions(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: RedeemPositionsParameters,
): Promise<RedeemPositionsReturnType> {
  const market = requireMarket(context, parameters.market);
  const statics = await getMarketStatics(context, market);
  const owner = context.account.address;

  let row: ChainTransactionRow | undefined = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: parameters.stepId,
    kind: "market_redeem",
  });
  let reused = row !== undefined;
  let details: RedeemDetails;

  if (row) {
    details = row.details as RedeemDetails;
    if (details.fpmm.toLowerCase() !== market.fpmm.toLowerCase()) {
      throw new StepConflictError(
        `Step ${parameters.stepId} already redeemed another market (${row.hash})`,
      );
    }
  } else {
    const state = await readMarketState(context, { market, owner });
    if (state.payoutDenominator === 0n) {
      throw new MarketNotResolvedError(
        `Market ${market.name} is not resolved yet; its positions cannot be redeemed`,
        { metaMessages: [`The oracle ${market.oracle} has not reported.`] },
      );
    }
    const held = (state.ownerShares ?? [])
      .map((shares, index) => ({ index, shares }))
      .filter((position) => position.shares > 0n);
    if (held.length === 0) throw new NoPositionError(`No positions in ${market.name} to redeem`);
    // Per position, exactly as ConditionalTokens rounds: floor(stake × numerator / denominator).
    const expectedPayout = held.reduce(
      (sum, { index, shares }) =>
        sum + (shares * (state.payoutNumerators[index] as bigint)) / state.payoutDenominator,
      0n,
    );
    const indexSets = held.map(({ index }) => 1n << BigInt(index));
    details = {
      market: market.name,
      fpmm: market.fpmm,
      conditionId: statics.conditionId,
      indexSets: indexSets.map(String),
      redeemed: held.map(({ index, shares }) => ({
        index,
        outcome: market.outcomes[index] as string,
        shares: shares.toString(),
      })),
      expectedPayout: expectedPayout.toString(),
    };
    const sent = await sendRecordedTransaction(context, db, {
      stepId: parameters.stepId,
      runId: parameters.runId,
      kind: "market_redeem",
      action: `Redemption of ${market.name}`,
      to: statics.conditionalTokens,
      data: encodeFunctionData({
        abi: conditionalTokensAbi,
        functionName: "redeemPositions",
        args: [statics.collateral.address, zeroHash, statics.conditionId, indexSets],
      }),
      token: statics.collateral.symbol,
      amount: expectedPayout,
      details: { ...details },
    });
    row = sent.row;
    reused = sent.reused;
  }

  const settled = await settleRecordedTransaction(context, db, row, {
    reused,
    timeoutMs: parameters.receiptTimeoutMs,
  });
  const [event] = parseEventLogs({
    abi: conditionalTokensAbi,
    eventName: "PayoutRedemption",
    logs: settled.receipt.logs,
  }).filter(
    (log) =>
      log.address.toLowerCase() === statics.conditionalTokens.toLowerCase() &&
      log.args.redeemer.toLowerCase() === owner.toLowerCase() &&
      log.args.conditionId.toLowerCase() === statics.conditionId.toLowerCase(),
  );
  const payout = (event?.args.payout ?? 0n).toString();
  if (details.payout !== payout) {
    await markRow(db, settled.hash, { status: "confirmed", details: { ...details, payout } });
  }
  return {
    hash: settled.hash,
    market: market.name,
    collateral: statics.collateral.symbol,
    payout,
    expectedPayout: details.expectedPayout,
    redeemed: details.redeemed,
    blockNumber: settled.blockNumber.toString(),
    gasCost: settled.gasCost.toString(),
    reused,
  };
}
