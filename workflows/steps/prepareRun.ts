import { getDb } from "../../lib/db/index.js";
import {
  type PreparedRun,
  type PrepareRunParameters,
  prepareRunStep,
} from "../../lib/runs/steps/prepareRun.js";

/** Step: understand, plan and record the command (parse and plan folded into one step on purpose). */
export async function prepareRun(parameters: PrepareRunParameters): Promise<PreparedRun> {
  "use step";
  return prepareRunStep(await getDb(), parameters);
}
