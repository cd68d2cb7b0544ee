import type { Kysely } from "kysely";
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
  const agentKeyIds = [...new Set(parameters.agentKeyIds)].sort();
  return await db.transaction().execute(async (trx) => {
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
    await trx
      .deleteFrom("approver_assignments")
      .where("approver_key_id", "=", approver.id)
      .execute();
    if (agentKeyIds.length > 0) {
      await trx
        .insertInto("approver_assignments")
        .values(agentKeyIds.map((id) => ({ approver_key_id: approver.id, agent_key_id: id })))
        .execute();
    }
    return { approverKeyId: approver.id, agentKeyIds };
  });
}
