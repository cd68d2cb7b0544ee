import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ExecuteActionParameters,
  executeActionStep,
} from "../../lib/runs/steps/executeAction.js";

/** Step: gate, perform and record one planned action. */
export async function executeAction(parameters: ExecuteActionParameters): Promise<ActionResult> {
  "use step";
  return executeActionStep(await getDb(), parameters);
}
