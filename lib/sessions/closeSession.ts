import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { terminalRunStatuses } from "../runs/runState.js";
import { cancelRun } from "../runs/wake/cancelRun.js";
import { releaseCurrentRenewal } from "../subscriptions/renewal/releaseCurrentRenewal.js";
import { toSubscriptionView } from "../subscriptions/subscriptionView.js";
import { getSessionFor } from "./getSession.js";

/**
 * Closes a session: no new runs are accepted, its active runs are cancelled, and no renewal of its
 * subscriptions pays after this.
 */
export async function closeSession(db: Kysely<Database>, principal: Principal, sessionId: string) {
  const session = await getSessionFor(db, principal, sessionId);
  if (session.status === "closed")
    throw new ClientError("conflict", `Session ${sessionId} is already closed`);
  const now = new Date();
  await db
    .updateTable("agent_sessions")
    .set({ status: "closed", closed_at: now, updated_at: now })
    .where("id", "=", sessionId)
    .execute();
  // Renewals in flight of its subscriptions stop before they sign (see releaseCurrentRenewal).
  const subscriptions = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("status", "=", "active")
    .execute();
  for (const row of subscriptions) await releaseCurrentRenewal(db, toSubscriptionView(row));
  const active = await db
    .selectFrom("runs")
    .select("id")
    .where("session_id", "=", sessionId)
    .where("status", "not in", terminalRunStatuses)
    .execute();
  const cancelledRuns: string[] = [];
  for (const run of active) {
    try {
      await cancelRun(db, principal, run.id);
      cancelledRuns.push(run.id);
    } catch (error) {
      // A run that finished between the query and the cancel is fine to skip.
      if (!(error instanceof ClientError && error.code === "conflict")) throw error;
    }
  }
  return { id: sessionId, status: "closed" as const, cancelledRuns };
}
