import { getWorld } from "workflow/runtime";
import { log } from "../../log.js";

/** A Workflow DevKit run as the world reports it: its status and, when it failed, why. */
export interface WorkflowRunState {
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  error?: string;
}

/**
 * Reads a workflow run's status from the world (local files, Postgres or Vercel). Undefined when
 * the world does not know the run (or cannot be asked now): callers then leave the row alone.
 */
export async function readWorkflowRun(
  workflowRunId: string,
): Promise<WorkflowRunState | undefined> {
  try {
    const run = await getWorld().runs.get(workflowRunId, { resolveData: "none" });
    return {
      status: run.status,
      ...(run.status === "failed" && run.error ? { error: run.error.message } : {}),
    };
  } catch (error) {
    log.debug("workflow run not readable", { workflowRunId, error });
    return undefined;
  }
}

/** True when the workflow run ended, false while it runs, undefined when unknown. */
export async function workflowEnded(workflowRunId: string): Promise<boolean | undefined> {
  const run = await readWorkflowRun(workflowRunId);
  if (!run) return undefined;
  return run.status === "completed" || run.status === "failed" || run.status === "cancelled";
}
