import { getStepMetadata } from "workflow";
import { getDb } from "../../lib/db/index.js";
import {
  type ParsedRun,
  type ParseRunParameters,
  parseRun,
} from "../../lib/runs/execute/parseRun.js";

/** Step "parse": the grammar, or the model when configured; a crash later never re-asks the model. */
export async function parse(parameters: ParseRunParameters): Promise<ParsedRun> {
  "use step";
  const { attempt } = getStepMetadata();
  return parseRun(await getDb(), { ...parameters, attempt });
}
