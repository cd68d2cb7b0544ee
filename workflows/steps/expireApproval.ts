import type { RunStatus } from "../../lib/db/database.js";
import { getDb } from "../../lib/db/index.js";
import { expireApprovalRequest } from "../../lib/runs/execute/expireApproval.js";

/** Wait step "expireApproval": the approval wait timed out; expire it unless a decision was stored. */
export async function expireApproval(parameters: {
  runId: string;
  index: number;
}): Promise<{ status: RunStatus }> {
  "use step";
  return expireApprovalRequest(await getDb(), parameters);
}
