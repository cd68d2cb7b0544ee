import type { RunStatus } from "../../lib/db/database.js";
import { getDb } from "../../lib/db/index.js";
import { expireApprovalStep } from "../../lib/runs/steps/expireWait.js";

/** Step: an approval wait timed out; expire the request unless a decision was stored meanwhile. */
export async function expireWait(parameters: {
  runId: string;
  index: number;
  kind: "approval";
}): Promise<{ status: RunStatus }> {
  "use step";
  return expireApprovalStep(await getDb(), parameters);
}
