import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ActionResult,
  type ActionStepParameters,
  runActionStep,
} from "../../lib/runs/execute/runActionStep.js";

/** Step "pay": gate, reserve, pay a resource through x402 (lib/actions/pay), record. */
export async function pay(parameters: ActionStepParameters): Promise<ActionResult> {
  "use step";
  const { attempt } = getStepMetadata();
  return runActionStep(await getDb(), "pay", { ...parameters, attempt });
}
