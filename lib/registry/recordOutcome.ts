import { type Kysely, sql } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { REPUTATION_PRIOR_CALLS, REPUTATION_PRIOR_SUCCESSES } from "./computeReputation.js";
import { ServiceNotFoundError } from "./errors.js";
import { bumpRegistryVersion, resolveCache } from "./registryCache.js";

export interface RecordOutcomeReturnType {
  reputation: string;
  totalCalls: number;
  successes: number;
  failures: number;
}

/**
 * Records the outcome of one real call to a service (paid and answered, or not) and recomputes
 * its reputation (see computeReputation) in the same UPDATE, so concurrent outcomes never lose
 * a count. Invalidates discovery answers, which filter and sort by reputation.
 */
export async function recordOutcome(
  db: Kysely<Database>,
  serviceId: string,
  outcome: { success: boolean },
  options: { cache?: Cache } = {},
): Promise<RecordOutcomeReturnType> {
  const success = outcome.success ? 1 : 0;
  const row = await db
    .updateTable("services")
    .set({
      total_calls: sql`total_calls + 1`,
      successes: sql`successes + ${success}::int`,
      failures: sql`failures + ${1 - success}::int`,
      reputation: sql`round(500.0 * (successes + ${success}::int + ${REPUTATION_PRIOR_SUCCESSES}::int) / (total_calls + 1 + ${REPUTATION_PRIOR_CALLS}::int)) / 100.0`,
      updated_at: new Date(),
    })
    .where("id", "=", serviceId)
    .returning(["reputation", "total_calls", "successes", "failures"])
    .executeTakeFirst();
  if (!row) throw new ServiceNotFoundError(serviceId);
  await bumpRegistryVersion(await resolveCache(options.cache));
  return {
    reputation: Number(row.reputation).toFixed(2),
    totalCalls: Number(row.total_calls),
    successes: Number(row.successes),
    failures: Number(row.failures),
  };
}
