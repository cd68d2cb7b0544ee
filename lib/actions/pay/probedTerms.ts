import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { log } from "../../log.js";
import { getService } from "../../registry/getService.js";
import { probePricing } from "../../registry/probePricing.js";
import type { ExpectedTerms } from "../../x402/expectedTerms.js";

/**
 * The terms a catalogue service asked for when it was last probed (its unpaid 402, cached 60 s):
 * the payment must then go to the same payTo, in the same asset, for no more than that price, or
 * it is refused before anything is signed (a payee that changes its terms between probe and pay).
 * Only for the first attempt of a step (a retry answers from its stored row without a request).
 * A probe that fails binds nothing: the action's cap and token still limit the payment.
 */
export async function probedTerms(
  db: Kysely<Database>,
  parameters: { serviceId: string | undefined; stepId: string },
): Promise<ExpectedTerms | undefined> {
  if (!parameters.serviceId) return undefined;
  const earlier = await db
    .selectFrom("payments")
    .select("id")
    .where("step_id", "=", parameters.stepId)
    .executeTakeFirst();
  if (earlier) return undefined;
  try {
    const live = await probePricing(await getService(db, parameters.serviceId));
    return { payTo: live.payTo, asset: live.asset, amount: live.amount };
  } catch (error) {
    log.info("pricing probe before payment failed; paying within the action's cap", {
      serviceId: parameters.serviceId,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}
