import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { ChainContext } from "./clients.js";
import { TransactionDroppedError } from "./errors.js";
import { approvalStepId, type SendApprovalReturnType } from "./sendApproval.js";
import { findStepTransaction, settleRecordedTransaction } from "./sendRecordedTransaction.js";

export interface ReadStepApprovalParameters {
  /** The step the approval served (its row is `${stepId}:approve`). */
  stepId: string;
  /** How long to wait for a receipt still pending before TransactionPendingError. */
  receiptTimeoutMs?: number;
}

/**
 * The approval a step has sent, once mined: its hash and gas. A step whose approval outlasted the
 * inline receipt wait resumes to find the allowance already in place and sends none; the gas was
 * still paid for this step, and only the approval's row says so. Undefined when the step has no
 * approval that executed (none sent, or dropped: the step may send anew). One still pending is
 * waited for as sendApproval waits (TransactionPendingError after receiptTimeoutMs); one reverted
 * throws TransactionRevertedError, as sendApproval would.
 */
export async function readStepApproval(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: ReadStepApprovalParameters,
): Promise<SendApprovalReturnType | undefined> {
  const row = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: approvalStepId(parameters.stepId),
    kind: "approve",
  });
  if (!row) return undefined;
  try {
    const settled = await settleRecordedTransaction(context, db, row, {
      reused: true,
      timeoutMs: parameters.receiptTimeoutMs,
    });
    return { hash: settled.hash, gasCost: settled.gasCost };
  } catch (error) {
    // A dropped approval never executed and cost nothing; its row is now marked dropped, so a
    // caller still short of allowance sends a new one.
    if (error instanceof TransactionDroppedError) return undefined;
    throw error;
  }
}
