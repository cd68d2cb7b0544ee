import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/database.js";
import { KeyNotFoundError, KeyRoleError } from "./errors.js";

export interface AssignApproverParameters {
  approverKeyId: string;
  /** The agent keys whose approvals the approver sees and decides. Replaces the previous set. */
  agentKeyIds: string[];
}

/**
 * Sets which agent keys an approver key is assigned to (it sees and decides their approvals; an
 * agent policy with `approvals.approvers: "any"` lets every approver decide regardless).
 * 404 for unknown keys; 422 when the approver is not an approver or an agent is not an agent.
 */
export async function assignApprover(
  db: Kysely<Database>,
  parameters: AssignApproverParameters,
): Promise<{ approverKeyId: string; agentKeyIds: string[] }> {
  return await db.transaction().execute(async (trx) => {
    const agentKeyIds = await checkApproverAssignment(trx, parameters);
    await writeApproverAssignment(trx, { approverKeyId: parameters.approverKeyId, agentKeyIds });
    return { approverKeyId: parameters.approverKeyId, agentKeyIds };
  });
}

/**
 * Everything assignApprover refuses, without writing: run it (in the caller's transaction) before
 * any write of a change made of several parts (updateKey). Returns the agent keys, deduplicated
 * and sorted.
 */
export async function checkApproverAssignment(
  trx: Transaction<Database>,
  parameters: AssignApproverParameters,
): Promise<string[]> {
  const agentKeyIds = [...new Set(parameters.agentKeyIds)].sort();
  const keys = await trx
    .selectFrom("api_keys")
    .select(["id", "role", "revoked_at"])
    .where("id", "in", [parameters.approverKeyId, ...agentKeyIds])
    .execute();
  const byId = new Map(keys.map((key) => [key.id, key]));
  const approver = byId.get(parameters.approverKeyId);
  if (!approver) throw new KeyNotFoundError(parameters.approverKeyId);
  if (approver.role !== "approver")
    throw new KeyRoleError(`API key ${approver.id} is an ${approver.role} key, not an approver`);
  for (const id of agentKeyIds) {
    const agent = byId.get(id);
    if (!agent) throw new KeyNotFoundError(id);
    if (agent.role !== "agent")
      throw new KeyRoleError(
        `API key ${id} is an ${agent.role} key; approvers are assigned agents`,
      );
  }
  return agentKeyIds;
}

/** Replaces an approver's agents with a set checkApproverAssignment accepted in this transaction. */
export async function writeApproverAssignment(
  trx: Transaction<Database>,
  parameters: AssignApproverParameters,
): Promise<void> {
  await trx
    .deleteFrom("approver_assignments")
    .where("approver_key_id", "=", parameters.approverKeyId)
    .execute();
  if (parameters.agentKeyIds.length > 0) {
    await trx
      .insertInto("approver_assignments")
      .values(
        parameters.agentKeyIds.map((id) => ({
          approver_key_id: parameters.approverKeyId,
          agent_key_id: id,
        })),
      )
      .execute();
  }
}
