import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ActionStepParameters,
  runActionStep,
} from "../../lib/runs/execute/runActionStep.js";

/** Step "discover": gate, reserve, search the service catalogue (lib/actions/discover), record. */
export async function discover(parameters: ActionStepParameters): Promise<ActionResult> {
  "use step";
  const { attempt } = getStepMetadata();
  return runActionStep(await getDb(), "discover", { ...parameters, attempt });
}
