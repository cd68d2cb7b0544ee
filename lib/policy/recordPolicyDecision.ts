import type { Insertable, Kysely } from "kysely";
import type { Database, PolicyDecisionsTable } from "../db/database.js";
import { prepareQuery } from "../db/prepareQuery.js";
import type { PolicyDecision } from "./types.js";

/**
 * Records which rule allowed, held or refused an action, under which policy version (the run view
 * shows it). A retried gate that reaches the same decision records it once.
 */
export async function recordPolicyDecision(
  db: Kysely<Database>,
  parameters: {
    reservationId: string;
    runId?: string | null;
    subject: string;
    decision: PolicyDecision;
    approvalsGranted?: number;
  },
): Promise<void> {
  const { decision } = parameters;
  await insertDecision(db, {
    row: {
      reservation_id: parameters.reservationId,
      run_id: parameters.runId ?? null,
      subject: parameters.subject,
      policy_id: decision.policyId,
      policy_version: decision.policyVersion,
      outcome: decision.outcome,
      rule: decision.rule,
      message: decision.message,
      required_approvals: decision.outcome === "hold" ? decision.requiredApprovals : 0,
      granted_approvals: parameters.approvalsGranted ?? 0,
      usd_micros: decision.usdMicros,
    },
  });
}

// Prepared (see prepareQuery): every gate of every action records its decision.
const insertDecision = prepareQuery(
  "recordPolicyDecision",
  (db, p: { row: Insertable<PolicyDecisionsTable> }) =>
    db
      .insertInto("policy_decisions")
      .values(p.row)
      .onConflict((conflict) =>
        conflict.columns(["reservation_id", "outcome", "rule", "granted_approvals"]).doNothing(),
      ),
);

/** The decisions recorded for a run, oldest first (for the run view). */
export async function listPolicyDecisions(db: Kysely<Database>, runId: string) {
  const rows = await db
    .selectFrom("policy_decisions")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    reservationId: row.reservation_id,
    outcome: row.outcome,
    rule: row.rule,
    message: row.message,
    policyId: row.policy_id,
    policyVersion: row.policy_version,
    requiredApprovals: row.required_approvals,
    grantedApprovals: row.granted_approvals,
    usdMicros: row.usd_micros,
    createdAt: row.created_at,
  }));
}
