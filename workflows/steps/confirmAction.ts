import { getDb } from "../../lib/db/index.js";
import { confirmActionStep } from "../../lib/runs/steps/confirmAction.js";
import type { ActionResult } from "../../lib/runs/steps/executeAction.js";

/** Step: after a chain or payment event (or its timeout), settle the waiting action's outcome. */
export async function confirmAction(parameters: {
  runId: string;
  index: number;
  token: string;
  timedOut: boolean;
}): Promise<ActionResult> {
  "use step";
  return confirmActionStep(await getDb(), parameters);
}
