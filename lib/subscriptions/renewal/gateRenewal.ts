import type { Kysely } from "kysely";
import type { ChainContext } from "../../chain/clients.js";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { chainPricer } from "../../policy/chainPricer.js";
import { type GateActionReturnType, gateAction } from "../../policy/gateAction.js";
import type { PolicyAction } from "../../policy/types.js";

/**
 * The policy gate of one renewal, right before it pays (issue 13): the wallet's and the key's
 * freezes, then the policy of the key that owns the session (agent_sessions.api_key_id; keyless
 * sessions get the default policy), read fresh on every attempt, so a freeze or a tightened policy
 * applies from the next renewal on. A held renewal that approvers granted passes with its
 * approvals counted against the policy's quorum, read fresh as well (under `approvers: "assigned"`
 * only admins' and assigned approvers' votes; never a vote of a key revoked since). An allowed
 * renewal reserves the key's rolling windows under `reservationId`, the id of its budget
 * reservation, so a retried step replays it instead of reserving again, and a late settlement
 * (bookPaymentOutcome) books both ledgers.
 */
export async function gateRenewal(
  db: Kysely<Database>,
  parameters: {
    runId: string;
    /** The key that owns the session (sessionKeyId; null: keyless, the default policy). */
    keyId: string | null;
    reservationId: string;
    action: PolicyAction;
    chain: ChainContext;
    /** Distinct approvals granted to this renewal after the policy held it (readRenewalApproval). */
    approvalsGranted?: number;
    /**
     * Of those, the ones a policy with `approvers: "assigned"` accepts (countAssignedApprovals).
     * Absent: none (such a policy must never fall back to counting every approval).
     */
    assignedApprovalsGranted?: number;
  },
): Promise<GateActionReturnType> {
  return await gateAction({
    db,
    price: chainPricer(parameters.chain, db),
    keyId: parameters.keyId,
    reservationId: parameters.reservationId,
    runId: parameters.runId,
    action: parameters.action,
    approvalsGranted: parameters.approvalsGranted,
    assignedApprovalsGranted: parameters.assignedApprovalsGranted ?? 0,
    defaultExpirySeconds: getConfig().APPROVAL_TIMEOUT_SECONDS,
  });
}
