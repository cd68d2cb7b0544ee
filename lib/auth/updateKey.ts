import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { checkApproverAssignment, writeApproverAssignment } from "./assignApprover.js";
import { checkPolicyAssignment, writePolicyAssignment } from "./assignPolicy.js";

export interface UpdateKeyParameters {
  keyId: string;
  /** The key's policy; null returns it to the operator default policy; absent leaves it. */
  policyId?: string | null | undefined;
  /** For an approver key: the agent keys it decides for (replaces the set); absent leaves it. */
  approverFor?: string[] | undefined;
}

export interface UpdateKeyReturnType {
  id: string;
  policyId?: string | null;
  approverFor?: string[];
}

/**
 * PUT /api/keys/{id}: a policy and an approver's agents, all or nothing. Every part is checked
 * before anything is written, in one transaction: a refused part (approverFor on an agent key,
 * 422) used to come after the policy was already cleared, leaving the request half applied.
 */
export async function updateKey(
  db: Kysely<Database>,
  parameters: UpdateKeyParameters,
): Promise<UpdateKeyReturnType> {
  const { keyId, policyId, approverFor } = parameters;
  return await db.transaction().execute(async (trx) => {
    if (policyId !== undefined) await checkPolicyAssignment(trx, { keyId, policyId });
    const agentKeyIds =
      approverFor === undefined
        ? undefined
        : await checkApproverAssignment(trx, { approverKeyId: keyId, agentKeyIds: approverFor });
    if (policyId !== undefined) await writePolicyAssignment(trx, { keyId, policyId });
    if (agentKeyIds !== undefined)
      await writeApproverAssignment(trx, { approverKeyId: keyId, agentKeyIds });
    return {
      id: keyId,
      ...(policyId === undefined ? {} : { policyId }),
      ...(approverFor === undefined ? {} : { approverFor }),
    };
  });
}
