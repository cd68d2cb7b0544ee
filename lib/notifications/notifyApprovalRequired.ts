import type { Kysely } from "kysely";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { type EmitNotificationReturnType, emitNotification } from "./emitNotification.js";

/** The page's link that opens one approval: `${PUBLIC_BASE_URL}/#approval=<token>`. */
export function approvalLink(token: string): string {
  const config = getConfig();
  const base = config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
  return `${base.replace(/\/+$/, "")}/#approval=${encodeURIComponent(token)}`;
}

export interface NotifyApprovalRequiredParameters {
  token: string;
  runId: string;
  stepIndex: number;
  /** The agent key whose action waits. */
  agentKeyId: string | null;
  /** What the action does, in words ("transfer 30 USDC to 0xabc…"). */
  actionSummary: string;
  /** The policy's hold message ("held: 30 USDC is above the 10 USD threshold; needs 2 approvals"). */
  reason: string;
  requiredApprovals: number;
  expiresAt: Date;
  now?: Date;
}

/**
 * Enqueues approval.required with a human summary and the approve link. Once per approval token:
 * a retried step enqueues nothing new. Call it in the transaction that creates the approval row.
 */
export async function notifyApprovalRequired(
  db: Kysely<Database>,
  parameters: NotifyApprovalRequiredParameters,
): Promise<EmitNotificationReturnType> {
  const link = approvalLink(parameters.token);
  const summary = `Run ${parameters.runId} wants to ${parameters.actionSummary}; ${parameters.reason}. Decide before ${parameters.expiresAt.toISOString()}: ${link}`;
  return await emitNotification(db, {
    type: "approval.required",
    dedupeKey: parameters.token,
    now: parameters.now,
    data: {
      token: parameters.token,
      runId: parameters.runId,
      step: parameters.stepIndex,
      agentKeyId: parameters.agentKeyId,
      summary,
      reason: parameters.reason,
      requiredApprovals: parameters.requiredApprovals,
      expiresAt: parameters.expiresAt.toISOString(),
      link,
    },
  });
}
