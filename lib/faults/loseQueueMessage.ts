import type { World } from "@workflow/world";
import { log } from "../log.js";

/** Which queue message the world loses (PAYGENT_FAULT). */
export type LostMessage = "lose-continuation" | "lose-step-job";

/**
 * Durability tests only: the world drops one queue message, as a queue that loses a message, or a
 * host killed between recording an event and queueing what follows it, would.
 * - "lose-continuation": the first workflow continuation, the run's next turn after a step, a hook
 *   or a timer (a start carries the run's input, `runInput`; a continuation does not). The run is
 *   left with a step completed and nothing in flight.
 * - "lose-step-job": the first step's job. The run is left with a step created that never starts.
 * resumeStalledRuns must find the run either way.
 */
export function loseQueueMessage(world: World, lost: LostMessage): void {
  const queue = world.queue.bind(world);
  let dropped = false;
  world.queue = async (queueName, message, options) => {
    const matches =
      lost === "lose-step-job"
        ? queueName.startsWith("__wkf_step_")
        : queueName.startsWith("__wkf_workflow_") &&
          typeof message === "object" &&
          message !== null &&
          !("runInput" in message);
    if (matches && !dropped) {
      dropped = true;
      log.warn("fault injection: dropping a queue message", { fault: lost, queueName });
      return { messageId: null };
    }
    return queue(queueName, message, options);
  };
}
