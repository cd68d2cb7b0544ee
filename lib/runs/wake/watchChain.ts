import type { Kysely } from "kysely";
import type { Address, Hash, Hex } from "viem";
import { type ChainContext, getChainContext } from "../../chain/clients.js";
import { getTransactionOutcome } from "../../chain/getTransactionOutcome.js";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { wakeRun } from "./wakeRun.js";
import { type ChainWake, wakeTokens } from "./wakes.js";

export interface WatchChainResult {
  checked: number;
  settled: { hash: string; status: ChainWake["status"]; woke: boolean }[];
}

/**
 * The chain watcher (cron GET /api/cron/chain, the local host's interval, and POST
 * /api/webhooks/chain for one hash): looks up every submitted transaction, records receipts, and
 * resumes the run waiting on the hook keyed by the transaction hash. Safe to run concurrently and
 * repeatedly: the status update is conditional and a run's confirm step re-reads the chain anyway.
 */
export async function watchChain(
  db: Kysely<Database>,
  options: { hash?: string; limit?: number; context?: ChainContext } = {},
): Promise<WatchChainResult> {
  const context = options.context ?? getChainContext();
  let query = db
    .selectFrom("chain_transactions")
    .selectAll()
    .where("status", "=", "submitted")
    .where("chain_id", "=", context.chain.id)
    .orderBy("created_at")
    .limit(options.limit ?? 50);
  if (options.hash) query = query.where("hash", "=", options.hash.toLowerCase());
  const rows = await query.execute();
  const settled: WatchChainResult["settled"] = [];
  for (const row of rows) {
    const outcome = await getTransactionOutcome(context, {
      hash: row.hash as Hash,
      from: row.from_address as Address,
      nonce: row.nonce,
      rawTransaction: (row as { raw_transaction?: string | null }).raw_transaction as
        | Hex
        | null
        | undefined,
    });
    if (outcome.status === "pending") continue;
    const updated = await db
      .updateTable("chain_transactions")
      .set({
        status: outcome.status,
        updated_at: new Date(),
        ...(outcome.status === "dropped"
          ? { error: outcome.error }
          : {
              gas_used: outcome.gasUsed.toString(),
              effective_gas_price: outcome.effectiveGasPrice.toString(),
              block_number: outcome.blockNumber.toString(),
              error: outcome.error ?? null,
            }),
      })
      .where("hash", "=", row.hash)
      .where("status", "=", "submitted")
      .returning("hash")
      .executeTakeFirst();
    if (!updated) continue; // another watcher got there first
    let woke = false;
    if (row.run_id) {
      const run = await db
        .selectFrom("runs")
        .select("workflow_run_id")
        .where("id", "=", row.run_id)
        .executeTakeFirst();
      if (run?.workflow_run_id) {
        const wake: ChainWake = { kind: "chain", hash: row.hash, status: outcome.status };
        woke = await wakeRun(run.workflow_run_id, wakeTokens.chain(row.hash), wake, {
          waitMs: 2000,
        });
      }
    }
    settled.push({ hash: row.hash, status: outcome.status, woke });
    log.info("transaction settled", { hash: row.hash, status: outcome.status, woke });
  }
  return { checked: rows.length, settled };
}
