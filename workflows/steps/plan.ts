import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import { type PlannedRun, planRun } from "../../lib/runs/execute/planRun.js";

/** Step "plan": quotes, catalogue and policy turn the parsed command into actions. */
export async function plan(parameters: { runId: string }): Promise<PlannedRun> {
  "use step";
  const { attempt } = getStepMetadata();
  return planRun(await getDb(), { ...parameters, attempt });
}
