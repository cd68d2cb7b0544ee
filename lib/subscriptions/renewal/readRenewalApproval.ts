import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import { countApprovals } from "../../policy/index.js";

/** Where the approval of one renewal stands (the newest request for it, when there are several). */
export type RenewalApproval =
  | { state: "none" }
  /** Still waiting for approvers until it expires. */
  | { state: "pending"; token: string; timeoutSeconds: number }
  /**
   * Decided for: the gate counts its approvals (countApprovals: votes of keys revoked since left
   * out; renewSubscription adds the assigned ones) against the policy's quorum, while the renewal
   * is worth no more than `amountUsd`, the value the approvers were shown (null: none was shown).
   */
  | { state: "granted"; token: string; approvals: number; amountUsd: string | null }
  /** Decided against, expired, or cancelled with its run: the renewal does not happen. */
  | { state: "refused"; token: string; status: "rejected" | "expired" | "cancelled" };

/**
 * Reads the approval of renewal number `renewal` of a renewal run. The row is the source of truth
 * (the hook only wakes the run): a pending request past its expiry, or whose wait timed out, is
 * expired here, and a decided one puts the run back to `running` (it waited in `waiting_approval`).
 */
export async function readRenewalApproval(
  db: Kysely<Database>,
  parameters: {
    runId: string;
    renewal: number;
    /**
     * The run's wait for it timed out: a request still pending expires now, whatever a clock says
     * is left (the run must not wait on the same hook token twice).
     */
    waitTimedOut?: boolean;
    now?: Date;
  },
): Promise<RenewalApproval> {
  const { runId, renewal } = parameters;
  const now = parameters.now ?? new Date();
  const latest = await db
    .selectFrom("approval_requests")
    .select(["token", "status", "expires_at", "amount_usd"])
    .where("run_id", "=", runId)
    .where("step_index", "=", renewal)
    .orderBy("created_at", "desc")
    .orderBy("token", "desc")
    .executeTakeFirst();
  if (!latest) return { state: "none" };
  let status = latest.status;
  if (status === "pending") {
    const left = latest.expires_at.getTime() - now.getTime();
    if (left > 0 && !parameters.waitTimedOut) {
      return { state: "pending", token: latest.token, timeoutSeconds: Math.ceil(left / 1000) };
    }
    await db
      .updateTable("approval_requests")
      .set({ status: "expired", decided_at: now })
      .where("token", "=", latest.token)
      .where("status", "=", "pending")
      .execute();
    // Expired here, or decided by a vote that landed just before: the row says which.
    ({ status } = await db
      .selectFrom("approval_requests")
      .select("status")
      .where("token", "=", latest.token)
      .executeTakeFirstOrThrow());
  }
  await db
    .updateTable("runs")
    .set({ status: "running", updated_at: now })
    .where("id", "=", runId)
    .where("status", "=", "waiting_approval")
    .execute();
  if (status === "approved" || status === "edited") {
    return {
      state: "granted",
      token: latest.token,
      approvals: await countApprovals(db, latest.token),
      amountUsd: latest.amount_usd === null ? null : String(latest.amount_usd),
    };
  }
  if (status === "rejected" || status === "expired" || status === "cancelled") {
    return { state: "refused", token: latest.token, status };
  }
  throw new Error(`approval ${latest.token} has an unknown status ${status}`);
}
