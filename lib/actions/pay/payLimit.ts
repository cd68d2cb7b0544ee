import type { ActionContext } from "../types.js";
import type { PayAction } from "./schema.js";

/**
 * The most a payment may cost: its planned maximum, capped by what the swap feeding it produced
 * (swap-then-pay), so the payment can never spend more than the swap brought in.
 */
export async function payLimit(
  { db, run }: Pick<ActionContext, "db" | "run">,
  action: PayAction,
): Promise<bigint> {
  const max = BigInt(action.maxAmount);
  if (action.amountFromStep === undefined) return max;
  const feeding = await db
    .selectFrom("run_steps")
    .select("output")
    .where("run_id", "=", run.id)
    .where("step_index", "=", action.amountFromStep)
    .executeTakeFirst();
  const produced = (feeding?.output as { amountOut?: string } | null)?.amountOut;
  if (produced === undefined) return max;
  return BigInt(produced) < max ? BigInt(produced) : max;
}
