import type { Kysely } from "kysely";
import { type Address, parseEventLogs } from "viem";
import type { ChainContext } from "../chain/clients.js";
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
  /** Gas this attempt paid for an approval (0 when none was sent, or the trade was reused). */
  approvalGasCost: bigint;
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
  // A reused trade's approval was paid by the attempt that sent it, as its row recorded.
  const approvalGasCost = parameters.reused
    ? BigInt(details.approvalGasCost ?? "0")
    : parameters.approvalGasCost;
  return { settled, shares, feeAmount, returnAmount, gasCost: settled.gasCost + approvalGasCost };
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
