import type { World } from "@workflow/world";
import { log } from "../log.js";

/**
 * Durability tests only (PAYGENT_FAULT=lose-continuation): the world drops the first workflow
 * continuation it is asked to queue, as a queue that loses a message, or a host killed between
 * recording a step's outcome and queueing the run's next turn, would. A start carries the run's
 * input (`runInput`); a continuation (after a step, a hook or a timer) does not. The run is left
 * with its step completed and nothing in flight: resumeStalledRuns must find it.
 */
export function loseFirstContinuation(world: World): void {
  const queue = world.queue.bind(world);
  let lost = false;
  world.queue = async (queueName, message, options) => {
    const continuation =
      queueName.startsWith("__wkf_workflow_") &&
      typeof message === "object" &&
      message !== null &&
      !("runInput" in message);
    if (continuation && !lost) {
      lost = true;
      log.warn("fault injection: dropping a workflow continuation", {
        runId: (message as { runId?: string }).runId,
      });
      return { messageId: null };
    }
    return queue(queueName, message, options);
  };
}
