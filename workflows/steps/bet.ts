import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ActionStepParameters,
  runActionStep,
} from "../../lib/runs/execute/runActionStep.js";

/** Step "bet": gate, reserve, bet on a prediction market (lib/actions/bet), record. */
export async function bet(parameters: ActionStepParameters): Promise<ActionResult> {
  "use step";
  const { attempt } = getStepMetadata();
  return runActionStep(await getDb(), "bet", { ...parameters, attempt });
}
