import type { Kysely } from "kysely";
import type { Address, Hash, Hex } from "viem";
import type { Database } from "../db/database.js";
import type { ChainContext } from "./clients.js";
import { sendRecordedTransaction, settleRecordedTransaction } from "./sendRecordedTransaction.js";

export interface SendApprovalParameters {
  /** The step the approval serves; the approval is recorded as `${stepId}:approve`. */
  stepId: string;
  runId?: string | null;
  /** Describes the approval in errors ("Approval of USDC for the router"). */
  action: string;
  /** The contract that grants it: the token, or ConditionalTokens for outcome shares. */
  to: Address;
  /** The encoded approve(spender, amount) or setApprovalForAll(operator, true). */
  data: Hex;
  /** The token and amount approved, when the approval is for an amount. */
  token?: string;
  amount?: bigint;
  /** Who is approved ({ spender } or { operator }), kept on the row. */
  details: Record<string, unknown>;
  /** How long to wait for the receipt before TransactionPendingError. */
  receiptTimeoutMs?: number;
}

export interface SendApprovalReturnType {
  hash: Hash;
  /** Native base units of gas the approval paid. */
  gasCost: bigint;
}

/** The step id an approval is recorded under: one approval per step it serves. */
export function approvalStepId(stepId: string): string {
  return `${stepId}:approve`;
}

/**
 * Sends the approval a step needs before its own transaction (a swap's, a market trade's) and waits
 * until it is mined. Exactly once per step, like the transaction it serves: a retry finds the
 * step's live approval row and waits for it instead of sending a second one. A retry that finds
 * the allowance already granted by it reads it with readStepApproval, to report its gas.
 */
export async function sendApproval(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SendApprovalParameters,
): Promise<SendApprovalReturnType> {
  const approval = await sendRecordedTransaction(context, db, {
    stepId: approvalStepId(parameters.stepId),
    runId: parameters.runId,
    kind: "approve",
    action: parameters.action,
    to: parameters.to,
    data: parameters.data,
    token: parameters.token,
    amount: parameters.amount,
    details: parameters.details,
  });
  const settled = await settleRecordedTransaction(context, db, approval.row, {
    reused: approval.reused,
    timeoutMs: parameters.receiptTimeoutMs,
  });
  return { hash: settled.hash, gasCost: settled.gasCost };
}
