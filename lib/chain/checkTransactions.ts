import type { Kysely } from "kysely";
import type { Address, Hash, Hex } from "viem";
import type { Database } from "../db/database.js";
import { log } from "../log.js";
import type { ChainContext } from "./clients.js";
import { getTransactionOutcome } from "./getTransactionOutcome.js";
import { markRow } from "./sendRecordedTransaction.js";

export interface CheckTransactionsParameters {
  /** At most this many submitted rows per call (oldest first). */
  limit?: number;
}

/** A row whose status this check changed. */
export interface TransactionStatusChange {
  hash: string;
  runId: string | null;
  stepId: string | null;
  kind: string;
  status: "confirmed" | "reverted" | "dropped";
  /** Revert reason, "out of gas", or why it was dropped. */
  error?: string;
  /** gasUsed × effectiveGasPrice in native base units (mined transactions only). */
  gasCost?: string;
}

/**
 * For the chain watcher: re-checks every still-"submitted" chain_transactions row on this chain and
 * records what happened (confirmed with gas cost, reverted with its reason or out of gas, dropped when
 * the nonce was used by another transaction). Rows still pending are left alone (rebroadcast if the
 * node lost them). Returns only the rows that changed, so the caller can resume waiting workflows.
 */
export async function checkTransactions(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: CheckTransactionsParameters = {},
): Promise<TransactionStatusChange[]> {
  const rows = await db
    .selectFrom("chain_transactions")
    .selectAll()
    .where("chain_id", "=", context.chain.id)
    .where("status", "=", "submitted")
    .orderBy("created_at", "asc")
    .limit(parameters.limit ?? 100)
    .execute();
  const changes: TransactionStatusChange[] = [];
  for (const row of rows) {
    let outcome: Awaited<ReturnType<typeof getTransactionOutcome>>;
    try {
      outcome = await getTransactionOutcome(context, {
        hash: row.hash as Hash,
        from: row.from_address as Address,
        nonce: row.nonce,
        rawTransaction: row.raw_transaction as Hex | null,
      });
    } catch (error) {
      log.warn("chain watcher could not check a transaction", { hash: row.hash, error });
      continue;
    }
    const base = { hash: row.hash, runId: row.run_id, stepId: row.step_id, kind: row.kind };
    if (outcome.status === "pending") continue;
    if (outcome.status === "dropped") {
      await markRow(db, row.hash, { status: "dropped", error: outcome.error });
      changes.push({ ...base, status: "dropped", error: outcome.error });
      continue;
    }
    await markRow(db, row.hash, {
      status: outcome.status,
      error: outcome.status === "reverted" ? (outcome.error ?? null) : null,
      gas_used: outcome.gasUsed,
      effective_gas_price: outcome.effectiveGasPrice,
      block_number: outcome.blockNumber,
    });
    changes.push({
      ...base,
      status: outcome.status,
      ...(outcome.error ? { error: outcome.error } : {}),
      gasCost: outcome.gasCost.toString(),
    });
  }
  return changes;
}
