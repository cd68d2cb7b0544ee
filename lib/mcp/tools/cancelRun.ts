import { cancelRun } from "../../runs/wake/cancelRun.js";
import { defineTool } from "../defineTool.js";
import { cancelRunSpec } from "../toolSpecs.js";

/** cancel_run: POST /api/runs/{id}/cancel as a tool. */
export const cancelRunTool = defineTool(cancelRunSpec, async (args, { db, principal }) => {
  const result = await cancelRun(db, principal, args.runId);
  const sent = result.submittedTxHashes.length;
  return {
    structured: { ...result },
    text: `Run ${result.runId} cancelled${sent ? `; ${sent} transaction${sent === 1 ? " was" : "s were"} already submitted` : ""}.`,
  };
});
