import { getConfig } from "../config.js";
import { log } from "../log.js";

let hung = false;

/**
 * Durability tests only: with PAYGENT_FAULT=hang-step, the first action step this process runs
 * never returns (a call inside it that hangs: a socket nobody answers). It hangs after the world
 * recorded the step as started and before the step opened its gate, so the run has a step in
 * flight that will never end. The step deadline must free the run (answerWithinDeadline, and the
 * stalled-run guard once the step is older than the deadline).
 */
export async function hangStepOnce(details: Record<string, unknown>): Promise<void> {
  if (getConfig().PAYGENT_FAULT !== "hang-step" || hung) return;
  hung = true;
  log.warn("fault injection: hanging a step", details);
  await new Promise<never>(() => {});
}
