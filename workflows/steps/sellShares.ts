import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ActionStepParameters,
  runActionStep,
} from "../../lib/runs/execute/runActionStep.js";

/** Step "sellShares": gate, reserve, sell an outcome's shares (lib/actions/sellShares), record. */
export async function sellShares(parameters: ActionStepParameters): Promise<ActionResult> {
  "use step";
  const { attempt } = getStepMetadata();
  return runActionStep(await getDb(), "sellShares", { ...parameters, attempt });
}
