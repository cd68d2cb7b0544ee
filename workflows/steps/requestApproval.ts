import { getDb } from "../../lib/db/index.js";
import {
  type RequestApprovalResult,
  recordApprovalRequest,
} from "../../lib/runs/execute/requestApproval.js";

/** Wait step "requestApproval": record a pending approval and return its hook token. */
export async function requestApproval(parameters: {
  runId: string;
  index: number;
}): Promise<RequestApprovalResult> {
  "use step";
  return recordApprovalRequest(await getDb(), parameters);
}
