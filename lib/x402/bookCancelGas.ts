import type { Kysely } from "kysely";
import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";
import type { Database, Payment } from "../db/database.js";
import type { CostItem, RunCost } from "../runs/cost.js";
import { addRunCost, lockRun } from "../runs/runState.js";

/** Inputs of bookCancelGas. */
export interface BookCancelGasParameters {
  db: Kysely<Database>;
  /** Prices the gas in USD when given (the cost then counts in the run's USD total). */
  chain?: ChainContext | undefined;
  payment: Pick<Payment, "run_id" | "cancel_tx_hash">;
}

/**
 * Adds the gas of a payment's EIP-3009 cancel to its run's cost, once its receipt is recorded
 * (mined or reverted: both cost gas). The agent wallet pays it to stop a failed payee's exposure,
 * so the run that paid should show it. Idempotent: the item names the cancel transaction, and the
 * run row is locked while it looks for it. Returns whether this call added it.
 */
export async function bookCancelGas(parameters: BookCancelGasParameters): Promise<boolean> {
  const { db, payment } = parameters;
  const hash = payment.cancel_tx_hash;
  if (!hash || !payment.run_id) return false;
  const row = await db
    .selectFrom("chain_transactions")
    .select(["gas_used", "effective_gas_price"])
    .where("hash", "=", hash)
    .executeTakeFirst();
  if (!row || row.gas_used === null || row.effective_gas_price === null) return false;
  const amount = BigInt(row.gas_used) * BigInt(row.effective_gas_price);
  const detail = `x402 cancel ${hash}`;
  let usd: string | undefined;
  if (parameters.chain) {
    usd = await priceUsd(parameters.chain, { token: "CRO", amount }).then(
      (price) => price.usd,
      () => undefined,
    );
  }
  const item: CostItem = {
    kind: "gas",
    unit: "CRO",
    amount: amount.toString(),
    ...(usd ? { usd } : {}),
    detail,
  };
  const runId = payment.run_id;
  return db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) return false;
    const items = (run.cost as RunCost | null)?.items ?? [];
    if (items.some((existing) => existing.detail === detail)) return false;
    await addRunCost(trx, run, [item]);
    return true;
  });
}
