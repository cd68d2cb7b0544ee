import { getDb } from "../../lib/db/index.js";
import {
  type RequestApprovalResult,
  requestApprovalStep,
} from "../../lib/runs/steps/requestApproval.js";

/** Step: record a pending approval and return its hook token. */
export async function requestApproval(parameters: {
  runId: string;
  index: number;
}): Promise<RequestApprovalResult> {
  "use step";
  return requestApprovalStep(await getDb(), parameters);
}
