import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ActionStepParameters,
  runActionStep,
} from "../../lib/runs/execute/runActionStep.js";

/** Step "redeem": gate, reserve, redeem a resolved market (lib/actions/redeem), record. */
export async function redeem(parameters: ActionStepParameters): Promise<ActionResult> {
  "use step";
  const { attempt } = getStepMetadata();
  return runActionStep(await getDb(), "redeem", { ...parameters, attempt });
}
