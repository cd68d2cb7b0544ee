import type { Kysely } from "kysely";
import { type Address, parseEventLogs } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { readStepApproval } from "../chain/readStepApproval.js";
import type { SendApprovalReturnType } from "../chain/sendApproval.js";
import {
  type ChainTransactionRow,
  markRow,
  type SettledTransaction,
  settleRecordedTransaction,
} from "../chain/sendRecordedTransaction.js";
import type { Database } from "../db/database.js";
import { fpmmAbi } from "./abis.js";

export interface SettleTradeParameters {
  /** The trade's recorded transaction (market_buy or market_sell). */
  row: ChainTransactionRow;
  /** True when this attempt found the trade already sent. */
  reused: boolean;
  side: "buy" | "sell";
  /** The market maker traded with. */
  fpmm: Address;
  /** The row's details as recorded at send time; what the trade did is added to them. */
  details: TradeDetails;
  /**
   * The step's approval as this attempt sent or found it (readStepApproval), when it sent the trade;
   * a reused trade's comes from its row.
   */
  approval?: SendApprovalReturnType;
  /** How long to wait for the receipt before TransactionPendingError. */
  receiptTimeoutMs?: number;
}

/** What a trade's row keeps besides its send-time quote: its approval and, once mined, its outcome. */
export interface TradeDetails {
  approvalHash?: `0x${string}`;
  approvalGasCost?: string;
  sharesBought?: string;
  sharesSold?: string;
  feeAmount?: string;
}

export interface SettledTrade {
  settled: SettledTransaction;
  /** Outcome shares bought or sold, from the receipt's FPMMBuy or FPMMSell event. */
  shares: bigint;
  feeAmount: bigint;
  /** Collateral paid out to the wallet (a sale's returnAmount; 0 for a buy). */
  returnAmount: bigint;
  /** Native base units of gas the trade and its approval paid (the approval also when reused). */
  gasCost: bigint;
  /** The step's approval, when it has one: its gas is in gasCost. */
  approvalHash?: `0x${string}`;
}

/**
 * Waits for a market trade to be mined, reads what it did from the market maker's own event for
 * this wallet (not from the quote: the pool may have moved between quote and block), and records
 * that on the trade's row once. A receipt without that event reads as zero shares.
 */
export async function settleTrade(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SettleTradeParameters,
): Promise<SettledTrade> {
  const { details } = parameters;
  const settled = await settleRecordedTransaction(context, db, parameters.row, {
    reused: parameters.reused,
    timeoutMs: parameters.receiptTimeoutMs,
  });
  const { shares, feeAmount, returnAmount } = readTradeEvent(
    settled,
    parameters.side,
    parameters.fpmm,
    context.account.address,
  );
  const sharesKey = parameters.side === "buy" ? "sharesBought" : "sharesSold";
  if (details[sharesKey] !== shares.toString()) {
    await markRow(db, settled.hash, {
      status: "confirmed",
      details: { ...details, [sharesKey]: shares.toString(), feeAmount: feeAmount.toString() },
    });
  }
  const approval = parameters.reused
    ? await recordedApproval(context, db, parameters)
    : parameters.approval;
  return {
    settled,
    shares,
    feeAmount,
    returnAmount,
    gasCost: settled.gasCost + (approval?.gasCost ?? 0n),
    ...(approval ? { approvalHash: approval.hash } : {}),
  };
}

/**
 * A reused trade's approval, as the attempt that sent the trade recorded it on its row. A row
 * recorded without one may still have had it: an attempt that found the allowance granted by an
 * earlier, slower attempt's approval recorded none (before readStepApproval), so ask its row.
 */
async function recordedApproval(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SettleTradeParameters,
): Promise<SendApprovalReturnType | undefined> {
  const { details, row } = parameters;
  if (details.approvalHash) {
    return { hash: details.approvalHash, gasCost: BigInt(details.approvalGasCost ?? "0") };
  }
  if (!row.step_id) return undefined;
  return readStepApproval(context, db, {
    stepId: row.step_id,
    receiptTimeoutMs: parameters.receiptTimeoutMs,
  });
}

/** The FPMMBuy or FPMMSell event of `trader` at `fpmm` in a mined trade's receipt. */
function readTradeEvent(
  settled: SettledTransaction,
  side: "buy" | "sell",
  fpmm: Address,
  trader: Address,
): { shares: bigint; feeAmount: bigint; returnAmount: bigint } {
  const isOurs = (log: { address: Address }, who: Address) =>
    log.address.toLowerCase() === fpmm.toLowerCase() && who.toLowerCase() === trader.toLowerCase();
  const logs = settled.receipt.logs;
  if (side === "buy") {
    const [event] = parseEventLogs({ abi: fpmmAbi, eventName: "FPMMBuy", logs }).filter((log) =>
      isOurs(log, log.args.buyer),
    );
    return {
      shares: event?.args.outcomeTokensBought ?? 0n,
      feeAmount: event?.args.feeAmount ?? 0n,
      returnAmount: 0n,
    };
  }
  const [event] = parseEventLogs({ abi: fpmmAbi, eventName: "FPMMSell", logs }).filter((log) =>
    isOurs(log, log.args.seller),
  );
  return {
    shares: event?.args.outcomeTokensSold ?? 0n,
    feeAmount: event?.args.feeAmount ?? 0n,
    returnAmount: event?.args.returnAmount ?? 0n,
  };
}
