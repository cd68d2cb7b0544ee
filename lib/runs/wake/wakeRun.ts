import { resumeHook } from "workflow/api";
import { getWorld } from "workflow/runtime";
import { log } from "../../log.js";

/**
 * Resumes the hook `token` of a workflow run, waiting briefly for the run to register it (a run
 * registers its hook only when it suspends, a few milliseconds after the step that announced it).
 * Looks the hook up by run first: resuming an unknown token is expensive on the local world.
 * Returns false when the hook never appeared; callers keep the decision in the database, so a
 * later reconcile (or the run's own timeout) still sees it.
 */
export async function wakeRun(
  workflowRunId: string,
  token: string,
  payload: unknown,
  options: { waitMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.waitMs ?? 3000);
  const world = getWorld();
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const hooks = await world.hooks.list({ runId: workflowRunId });
    if (hooks.data.some((hook) => hook.token === token)) {
      try {
        await resumeHook(token, payload);
        return true;
      } catch (error) {
        log.warn("resumeHook failed", { workflowRunId, error });
        return false;
      }
    }
    if (Date.now() + delay > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
