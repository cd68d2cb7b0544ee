import type { ExpressionBuilder } from "kysely";
import type { Database } from "../../db/database.js";

/**
 * The step's latest approved (or edited) approval request's token, as a sub-select: the one-
 * statement gate reads it alongside the step update, policyRefusal reads it on its own.
 */
export function approvedTokenOf<DB extends Database, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  runId: string,
  index: number,
) {
  return (eb as unknown as ExpressionBuilder<Database, never>)
    .selectFrom("approval_requests")
    .select("token")
    .where("run_id", "=", runId)
    .where("step_index", "=", index)
    .where("status", "in", ["approved", "edited"])
    .orderBy("created_at", "desc")
    .limit(1);
}
