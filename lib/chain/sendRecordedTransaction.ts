import type { Kysely, Selectable } from "kysely";
import { type Address, type Hash, type Hex, keccak256, type TransactionReceipt } from "viem";
import { holdReservationForSend } from "../budget/holdReservationForSend.js";
import type { ChainTransactionsTable, Database } from "../db/database.js";
import { log } from "../log.js";
import type { ChainContext } from "./clients.js";
import {
  ChainUnavailableError,
  revertReasonOf,
  TransactionDroppedError,
  TransactionPendingError,
  TransactionRevertedError,
  TransactionWouldRevertError,
} from "./errors.js";
import { getTransactionOutcome } from "./getTransactionOutcome.js";
import { isRpcUnavailable } from "./isRpcUnavailable.js";

/** A chain_transactions row. */
export type ChainTransactionRow = Selectable<ChainTransactionsTable>;

/**
 * The kinds of transaction Paygent sends (market_* are prediction-market trades, lib/markets;
 * cancel_authorization is the EIP-3009 cancel of an x402 payment).
 */
export type ChainTransactionKind =
  | "transfer"
  | "approve"
  | "swap"
  | "market_buy"
  | "market_sell"
  | "market_redeem"
  | "cancel_authorization";

export interface SendRecordedTransactionParameters {
  /** Idempotency key (the workflow step id, suffixed for helper transactions such as approvals). */
  stepId: string;
  runId?: string | null;
  kind: ChainTransactionKind;
  /** Describes the action in errors ("Transfer of USDC"). */
  action: string;
  to: Address;
  data?: Hex;
  value?: bigint;
  token?: string;
  amount?: bigint;
  details?: Record<string, unknown>;
  /**
   * Gas the estimate cannot see, added to the limit: work the mined block may do that the estimate's
   * block did not (a swap's price-oracle writes; see swapExactIn). Unused gas is refunded.
   */
  unseenGas?: bigint;
}

/** A mined, successful transaction and its cost. */
export interface SettledTransaction {
  hash: Hash;
  nonce: number;
  blockNumber: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  gasCost: bigint;
  receipt: TransactionReceipt;
  /** True when this call found the step's transaction already sent and did not send again. */
  reused: boolean;
}

/**
 * The live (not dropped) transaction recorded for a step, if any. Dropped rows are ignored: their
 * transaction never executed, so the step may send anew.
 */
export async function findStepTransaction(
  db: Kysely<Database>,
  parameters: { chainId: number; stepId: string; kind: ChainTransactionKind },
): Promise<ChainTransactionRow | undefined> {
  return db
    .selectFrom("chain_transactions")
    .selectAll()
    .where("chain_id", "=", parameters.chainId)
    .where("step_id", "=", parameters.stepId)
    .where("kind", "=", parameters.kind)
    .where("status", "!=", "dropped")
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}

const accountLocks = new Map<string, Promise<unknown>>();

/** Serialises nonce allocation → sign → record → broadcast per sending account within this process. */
async function withAccountLock<T>(address: string, task: () => Promise<T>): Promise<T> {
  const key = address.toLowerCase();
  const previous = accountLocks.get(key) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(task);
  const tail = run.catch(() => {});
  accountLocks.set(key, tail);
  try {
    return await run;
  } finally {
    if (accountLocks.get(key) === tail) accountLocks.delete(key);
  }
}

/**
 * Signs, records, then broadcasts a transaction, so a crash at any point leaves a row a retry can
 * act on: the row (hash, nonce, raw transaction) is written BEFORE the broadcast, and a retry
 * rebroadcasts those exact bytes instead of signing anew. A transaction whose gas estimate the node
 * refuses with a revert (eth_estimateGas, run by prepareTransactionRequest) throws
 * TransactionWouldRevertError with nothing recorded or sent. If the step already has a live row
 * (checked under the per-account lock), that row is returned with `reused: true` and nothing is sent.
 */
export async function sendRecordedTransaction(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SendRecordedTransactionParameters,
): Promise<{ row: ChainTransactionRow; reused: boolean }> {
  const { walletClient, publicClient, account, chain } = context;
  return withAccountLock(account.address, async () => {
    // Re-check under the lock: two attempts of one step racing in this process must not both send.
    const existing = await findStepTransaction(db, {
      chainId: chain.id,
      stepId: parameters.stepId,
      kind: parameters.kind,
    });
    if (existing) return { row: existing, reused: true };
    const nonce = await publicClient.getTransactionCount({
      address: account.address,
      blockTag: "pending",
    });
    let prepared: Awaited<ReturnType<typeof walletClient.prepareTransactionRequest>>;
    try {
      prepared = await walletClient.prepareTransactionRequest({
        account,
        chain,
        to: parameters.to,
        data: parameters.data,
        value: parameters.value,
        nonce,
      });
    } catch (error) {
      throw estimateGasError(parameters.action, error);
    }
    // The estimate runs against the pending block as the node sees it now; the block that mines the
    // transaction can take a costlier path, so leave headroom, plus what the caller knows is unseen.
    if (prepared.gas !== undefined)
      prepared.gas = (prepared.gas * 13n) / 10n + 10_000n + (parameters.unseenGas ?? 0n);
    const rawTransaction = await walletClient.signTransaction(
      prepared as Parameters<typeof walletClient.signTransaction>[0],
    );
    const hash = keccak256(rawTransaction);
    // The row that makes this transaction count as sent (stepEvidence) is written under the budget
    // fence of the step's reservation (ledger id = step id; helper transactions such as an approve
    // or a cancel have none): one released meanwhile refuses the broadcast, and a release decided
    // before this row existed can no longer go through.
    const row = await db.transaction().execute(async (trx) => {
      await holdReservationForSend(trx, parameters.stepId);
      return trx
        .insertInto("chain_transactions")
        .values({
          hash,
          run_id: parameters.runId ?? null,
          step_id: parameters.stepId,
          chain_id: chain.id,
          from_address: account.address,
          to_address: parameters.to,
          nonce,
          kind: parameters.kind,
          status: "submitted",
          raw_transaction: rawTransaction,
          token: parameters.token ?? null,
          amount: parameters.amount ?? null,
          details: parameters.details ? JSON.stringify(parameters.details) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    try {
      await publicClient.sendRawTransaction({ serializedTransaction: rawTransaction });
    } catch (error) {
      const message = String((error as Error).message);
      if (/nonce too low|replacement transaction underpriced|already imported/i.test(message)) {
        // Another sender took this nonce (another process): the row can never execute.
        await markRow(db, hash, { status: "dropped", error: "nonce taken before broadcast" });
        throw new ChainUnavailableError(
          `${parameters.action}: nonce ${nonce} was taken concurrently; retry`,
          { cause: error },
        );
      }
      if (!/already known/i.test(message)) {
        // Unknown whether the node accepted it; the row stays "submitted" and a retry re-checks the hash.
        throw new ChainUnavailableError(`${parameters.action}: broadcast of ${hash} failed`, {
          cause: error,
        });
      }
    }
    log.info("chain transaction sent", {
      hash,
      nonce,
      kind: parameters.kind,
      stepId: parameters.stepId,
    });
    return { row, reused: false };
  });
}

/**
 * Waits for a recorded transaction and writes its outcome to the row. Confirmed → SettledTransaction;
 * reverted → TransactionRevertedError; dropped → TransactionDroppedError (the row is marked dropped,
 * so the step's next attempt sends anew); still pending after `timeoutMs` → TransactionPendingError.
 */
export async function settleRecordedTransaction(
  context: ChainContext,
  db: Kysely<Database>,
  row: ChainTransactionRow,
  options: { reused: boolean; timeoutMs?: number },
): Promise<SettledTransaction> {
  const hash = row.hash as Hash;
  if (row.status === "reverted")
    throw new TransactionRevertedError({ hash, reason: row.error ?? undefined });
  const deadline =
    Date.now() + (options.timeoutMs ?? (context.network === "devnet" ? 30_000 : 120_000));
  const interval = context.network === "devnet" ? 50 : 1_000;
  for (;;) {
    const outcome = await getTransactionOutcome(context, {
      hash,
      from: row.from_address as Address,
      nonce: row.nonce,
      rawTransaction: row.raw_transaction as Hex | null,
    });
    if (outcome.status === "confirmed") {
      if (row.status !== "confirmed") {
        await markRow(db, hash, {
          status: "confirmed",
          gas_used: outcome.gasUsed,
          effective_gas_price: outcome.effectiveGasPrice,
          block_number: outcome.blockNumber,
        });
      }
      return {
        hash,
        nonce: row.nonce,
        blockNumber: outcome.blockNumber,
        gasUsed: outcome.gasUsed,
        effectiveGasPrice: outcome.effectiveGasPrice,
        gasCost: outcome.gasCost,
        receipt: outcome.receipt,
        reused: options.reused,
      };
    }
    if (outcome.status === "reverted") {
      await markRow(db, hash, {
        status: "reverted",
        error: outcome.error ?? null,
        gas_used: outcome.gasUsed,
        effective_gas_price: outcome.effectiveGasPrice,
        block_number: outcome.blockNumber,
      });
      throw new TransactionRevertedError({
        hash,
        reason: outcome.error,
        outOfGas: outcome.outOfGas,
      });
    }
    if (outcome.status === "dropped") {
      await markRow(db, hash, { status: "dropped", error: outcome.error });
      throw new TransactionDroppedError({ hash, nonce: row.nonce });
    }
    if (Date.now() > deadline) throw new TransactionPendingError(hash);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Updates a row's status and outcome columns. */
export async function markRow(
  db: Kysely<Database>,
  hash: string,
  values: {
    status: ChainTransactionRow["status"];
    error?: string | null;
    gas_used?: bigint;
    effective_gas_price?: bigint;
    block_number?: bigint;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const { details, ...rest } = values;
  await db
    .updateTable("chain_transactions")
    .set({
      ...rest,
      ...(details ? { details: JSON.stringify(details) } : {}),
      updated_at: new Date(),
    })
    .where("hash", "=", hash)
    .execute();
}

/**
 * A failed gas estimate: an RPC that did not answer (isRpcUnavailable: a timeout, a network failure,
 * HTTP 429 or 5xx, a JSON-RPC rate limit) says nothing about the transaction, so the step retries;
 * an answer that it reverts is final. Read as a revert, a rate-limited estimate failed the run.
 */
function estimateGasError(action: string, error: unknown): Error {
  const message = String((error as Error)?.message ?? error);
  if (
    (isRpcUnavailable(error) ||
      /fetch failed|ECONNREFUSED|timed? ?out|HTTP request failed/i.test(message)) &&
    !/revert/i.test(message)
  ) {
    return new ChainUnavailableError(`${action}: the RPC did not answer`, { cause: error });
  }
  return new TransactionWouldRevertError(
    { action, reason: revertReasonOf(error) },
    { cause: error },
  );
}
