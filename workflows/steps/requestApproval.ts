import { getDb } from "../../lib/db/index.js";
import { deliverNotificationsSoon } from "../../lib/notifications/deliverNotificationsSoon.js";
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
  const db = await getDb();
  const result = await recordApprovalRequest(db, parameters);
  // approval.required goes out now, not at the next background check.
  deliverNotificationsSoon(db);
  return result;
}
