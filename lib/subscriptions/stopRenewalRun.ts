import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { errorKind } from "../errors/index.js";
import { cancelRun } from "../runs/wake/cancelRun.js";

/**
 * Ends a cancelled subscription's renewal run now, instead of leaving it `running` (asleep) until
 * the paid period ends and its next check sees the cancel (issue 20). A run that already ended
 * is left as it is.
 */
export async function stopRenewalRun(
  db: Kysely<Database>,
  principal: Principal,
  runId: string | null,
): Promise<void> {
  if (!runId) return;
  try {
    await cancelRun(db, principal, runId);
  } catch (error) {
    // conflict: it had already ended; not_found: the link points at nothing this key can see.
    const kind = errorKind(error);
    if (kind !== "conflict" && kind !== "not_found") throw error;
  }
}
