import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import {
  type EmitNotificationParameters,
  type EmitNotificationReturnType,
  emitNotification,
} from "./emitNotification.js";

export interface NotifyRunFinishedParameters {
  runId: string;
  status: "completed" | "failed";
  /** The agent key that ran it. */
  agentKeyId: string | null;
  /** One line for people: the result, or the failure with the rule that refused it. */
  summary: string;
  now?: Date;
}

/**
 * Enqueues run.completed or run.failed, once per run (a retried final step enqueues nothing new).
 * Call it in the transaction that records the run's end.
 */
export async function notifyRunFinished(
  db: Kysely<Database>,
  parameters: NotifyRunFinishedParameters,
): Promise<EmitNotificationReturnType> {
  return await emitNotification(db, runFinishedNotification(parameters));
}

/** The notification notifyRunFinished emits (for a caller that writes its deliveries itself). */
export function runFinishedNotification(
  parameters: NotifyRunFinishedParameters,
): EmitNotificationParameters {
  return {
    type: parameters.status === "completed" ? "run.completed" : "run.failed",
    dedupeKey: parameters.runId,
    now: parameters.now,
    data: {
      runId: parameters.runId,
      status: parameters.status,
      agentKeyId: parameters.agentKeyId,
      summary: parameters.summary,
    },
  };
}
