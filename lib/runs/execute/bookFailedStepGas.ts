import type { Kysely } from "kysely";
import { gasCost } from "../../actions/chainOutcome.js";
import type { ChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import type { CostItem, RunCost } from "../cost.js";
import { addRunCost, lockRun } from "../runState.js";

/** The detail that names a mined transaction's gas in a run's cost (one item per transaction). */
export const minedGasDetail = (hash: string) => `gas ${hash.toLowerCase()}`;

/**
 * Adds the gas of a failing step's mined transactions to its run's cost: the step's own
 * transaction and its `:approve` helper, reverted or confirmed (mined either way: both cost gas).
 * A step that completes books its gas through its outcome; one that fails never gets there, so
 * without this the wallet's CRO leaves and the run's cost does not say so.
 *
 * Idempotent, like bookCancelGas: each item names its transaction, and the run row is locked while
 * the items already booked are read, so a retried or replayed step books nothing twice. Booked
 * whatever the run's status (a run cancelled meanwhile still paid the gas). Returns the items added.
 */
export async function bookFailedStepGas(
  db: Kysely<Database>,
  parameters: { runId: string; stepId: string; chain?: ChainContext | undefined },
): Promise<CostItem[]> {
  const { runId, stepId } = parameters;
  const mined = await db
    .selectFrom("chain_transactions")
    .select(["hash", "gas_used", "effective_gas_price"])
    .where("step_id", "in", [stepId, `${stepId}:approve`])
    .where("status", "in", ["confirmed", "reverted"])
    .where("gas_used", "is not", null)
    .where("effective_gas_price", "is not", null)
    .orderBy("created_at")
    .orderBy("hash")
    .execute();
  if (mined.length === 0) return [];
  // Priced before the lock (a pool read); an unknown price leaves the item in CRO only.
  const items = await Promise.all(
    mined.map(async (row): Promise<CostItem> => {
      const wei = BigInt(row.gas_used!) * BigInt(row.effective_gas_price!);
      const item: CostItem = parameters.chain
        ? await gasCost(parameters.chain, wei)
        : { kind: "gas", unit: "CRO", amount: wei.toString() };
      return { ...item, detail: minedGasDetail(row.hash) };
    }),
  );
  return db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) return [];
    const booked = new Set(((run.cost as RunCost | null)?.items ?? []).map((item) => item.detail));
    const added = items.filter((item) => !booked.has(item.detail));
    if (added.length > 0) await addRunCost(trx, run, added);
    return added;
  });
}
