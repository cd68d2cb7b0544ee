import type { RunStatus } from "../../db/database.js";
import { getRunFor } from "../../runs/read/getRunFor.js";
import { getRunView, type RunView } from "../../runs/read/runView.js";
import { defineTool } from "../defineTool.js";
import { getRunSpec } from "../toolSpecs.js";

/** Statuses a waiting caller returns on: the run ended, or a person must act. */
const settledStatuses: readonly RunStatus[] = [
  "completed",
  "failed",
  "cancelled",
  "waiting_approval",
];

const pollMs = 250;

/** get_run: GET /api/runs/{id}, optionally waiting until the run ends or needs approval. */
export const getRunTool = defineTool(getRunSpec, async (args, { db, principal, signal }) => {
  const deadline = Date.now() + (args.waitSeconds ?? 0) * 1000;
  // Only the status is read while waiting; the full view once, at the end.
  let status = (await getRunFor(db, principal, args.runId)).status;
  while (!settledStatuses.includes(status) && Date.now() < deadline && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    status = (await getRunFor(db, principal, args.runId)).status;
  }
  const view = await getRunView(db, principal, args.runId);
  return { structured: { ...view }, text: describeRun(view) };
});

function describeRun(view: RunView): string {
  const approval = view.pendingApprovals[0];
  if (view.status === "waiting_approval" && approval) {
    return `Run ${view.id} is waiting for approval ${approval.token} (${approval.reason}).`;
  }
  if (view.status === "failed") {
    const message = (view.error as { message?: unknown } | null)?.message;
    return `Run ${view.id} failed${typeof message === "string" ? `: ${message}` : ""}.`;
  }
  const steps = view.steps.length;
  return `Run ${view.id} is ${view.status} (${steps} step${steps === 1 ? "" : "s"}).`;
}
