import { readWholeBalance } from "./readWholeBalance.js";
import type { ActionContext } from "./types.js";

/** Parameters of resolveWholeAmount. */
export interface ResolveWholeAmountParameters {
  token: string;
  /** The step about to run; absent when only asking (e.g. checking an edited approval). */
  stepId?: string;
}

/**
 * The amount a whole-balance ("all") action moves when it runs. The step's budget reservation is
 * made before anything is sent, so once it exists it is the amount: every later attempt of the
 * step (after a crash or a retry) reserves, sends and finds exactly that, even though the balance
 * it was read from has since changed. Before that, the whole balance is read from the chain now.
 */
export async function resolveWholeAmount(
  context: Pick<ActionContext, "db" | "chain">,
  parameters: ResolveWholeAmountParameters,
): Promise<bigint> {
  if (parameters.stepId) {
    const reserved = await context.db
      .selectFrom("spend_ledger")
      .select("amount")
      .where("id", "=", parameters.stepId)
      .where("status", "in", ["reserved", "settled"])
      .executeTakeFirst();
    if (reserved) return BigInt(String(reserved.amount));
  }
  return (await readWholeBalance(context.chain, { token: parameters.token })).amount;
}
