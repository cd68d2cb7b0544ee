import type { Kysely } from "kysely";
import type { NetworkName } from "../../config.js";
import type { Database } from "../../db/database.js";
import type { PolicyDocument } from "../schemas.js";
import { sumWindow } from "./ledger.js";
import { type WindowSpec, windowSpecs } from "./windowSpecs.js";

/** One window's state: what is used (reserved + settled) within the rolling period. */
export interface WindowState {
  spec: WindowSpec;
  count: number;
  total: bigint;
}

/**
 * The usage of every window of a policy for one subject, read from the ledger (the durable
 * truth; not a reservation, so it can be stale by the time an action reserves). For status views,
 * and for refusing a hold early when the action could not fit even once approved.
 */
export async function getWindowUsage(
  db: Kysely<Database>,
  parameters: {
    subject: string;
    document: PolicyDocument;
    network: NetworkName;
    unitPrices?: Record<string, bigint>;
    now?: Date;
  },
): Promise<WindowState[]> {
  const now = parameters.now ?? new Date();
  const states: WindowState[] = [];
  for (const spec of windowSpecs(parameters.network, parameters.document)) {
    const usage = await sumWindow(db, {
      subject: parameters.subject,
      since: new Date(now.getTime() - spec.periodMs),
      unit: spec.unit,
      perWhole: parameters.unitPrices?.[spec.unit.name],
    });
    states.push({ spec, ...usage });
  }
  return states;
}
