import type { Kysely } from "kysely";
import { type Address, encodeFunctionData, erc20Abi, getAddress, isAddress } from "viem";
import type { Database } from "../db/database.js";
import type { ChainContext } from "./clients.js";
import { InsufficientBalanceError, StepConflictError } from "./errors.js";
import { requireToken } from "./registry.js";
import {
  findStepTransaction,
  sendRecordedTransaction,
  settleRecordedTransaction,
} from "./sendRecordedTransaction.js";
import { InvalidAmountError, toBaseUnits } from "./units.js";

export interface TransferTokenParameters {
  /** Idempotency key: the workflow step id. A retry with the same id never sends a second transaction. */
  stepId: string;
  runId?: string | null;
  /** Symbol, alias or address from the registry ("CRO" is native). */
  token: string;
  to: Address;
  /** Base units (bigint or decimal-integer string). */
  amount: bigint | string;
  /** How long to wait for the receipt before TransactionPendingError (the run then waits on a hook). */
  receiptTimeoutMs?: number;
}

export interface TransferTokenReturnType {
  hash: `0x${string}`;
  nonce: number;
  token: string;
  to: Address;
  amount: string;
  blockNumber: string;
  /** Native base units paid for gas (gasUsed × effectiveGasPrice). */
  gasCost: string;
  /** True when the step's transaction had already been sent by an earlier attempt. */
  reused: boolean;
}

/**
 * Sends native CRO or an ERC-20 from the agent wallet, exactly once per stepId: the transaction is
 * recorded in chain_transactions before broadcast, and a retry re-checks that hash instead of sending.
 */
export async function transferToken(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: TransferTokenParameters,
): Promise<TransferTokenReturnType> {
  const token = requireToken(context.network, parameters.token);
  const amount = toBaseUnits(parameters.amount);
  if (!isAddress(parameters.to))
    throw new InvalidAmountError(`Recipient "${parameters.to}" is not an address`);
  const to = getAddress(parameters.to);
  const chainTo = token.address === "native" ? to : token.address;

  let row = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: parameters.stepId,
    kind: "transfer",
  });
  let reused = row !== undefined;
  if (row) {
    const recorded = row.details as { to?: string } | null;
    if (row.token !== token.symbol || row.amount !== amount.toString() || recorded?.to !== to) {
      throw new StepConflictError(
        `Step ${parameters.stepId} already sent a different transfer (${row.hash})`,
      );
    }
  } else {
    await assertCanPay(context, token.address, amount);
    const sent = await sendRecordedTransaction(context, db, {
      stepId: parameters.stepId,
      runId: parameters.runId,
      kind: "transfer",
      action: `Transfer of ${token.symbol}`,
      to: chainTo,
      value: token.address === "native" ? amount : undefined,
      data:
        token.address === "native"
          ? undefined
          : encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] }),
      token: token.symbol,
      amount,
      details: { to },
    });
    row = sent.row;
    reused = sent.reused;
  }
  const settled = await settleRecordedTransaction(context, db, row, {
    reused,
    timeoutMs: parameters.receiptTimeoutMs,
  });
  return {
    hash: settled.hash,
    nonce: settled.nonce,
    token: token.symbol,
    to,
    amount: amount.toString(),
    blockNumber: settled.blockNumber.toString(),
    gasCost: settled.gasCost.toString(),
    reused,
  };

  async function assertCanPay(
    ctx: ChainContext,
    address: Address | "native",
    value: bigint,
  ): Promise<void> {
    const owner = ctx.account.address;
    const available =
      address === "native"
        ? await ctx.publicClient.getBalance({ address: owner })
        : await ctx.publicClient.readContract({
            address,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [owner],
          });
    if (available < value)
      throw new InsufficientBalanceError({ token: token.symbol, required: value, available });
  }
}
