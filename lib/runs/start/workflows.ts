import { getRun, start } from "workflow/api";
import type { agentCommand } from "../../../workflows/agentCommand.js";
import type { subscriptionRenewal } from "../../../workflows/subscriptionRenewal.js";

/**
 * Typed references to our workflows by id. Without the bundler's client transform the api/
 * handlers cannot import the workflow functions themselves, so start() receives the id the
 * build gives them (see .well-known/workflow/v1/manifest.json).
 */
const agentCommandWorkflow = {
  workflowId: "workflow//./workflows/agentCommand//agentCommand",
} as unknown as typeof agentCommand;

/** Starts the durable run for one of our runs; returns the Workflow DevKit run id. */
export async function startAgentCommandWorkflow(runId: string): Promise<string> {
  const run = await start(agentCommandWorkflow, [{ runId }]);
  return run.runId;
}

/** Asks the workflow world to stop a run (best effort: our own cancel flag is authoritative). */
export async function cancelWorkflowRun(workflowRunId: string): Promise<void> {
  await getRun(workflowRunId).cancel();
}

const subscriptionRenewalWorkflow = {
  workflowId: "workflow//./workflows/subscriptionRenewal//subscriptionRenewal",
} as unknown as typeof subscriptionRenewal;

/** Starts the renewal workflow of a subscription; returns the Workflow DevKit run id. */
export async function startSubscriptionWorkflow(input: {
  runId: string;
  subscriptionId: string;
}): Promise<string> {
  const run = await start(subscriptionRenewalWorkflow, [input]);
  return run.runId;
}
