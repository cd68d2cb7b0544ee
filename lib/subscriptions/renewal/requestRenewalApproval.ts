import type { Kysely } from "kysely";
import { formatAmount } from "../../actions/format.js";
import type { SubscribeAction } from "../../actions/subscribe/schema.js";
import { getConfig } from "../../config.js";
import type { Database } from "../../db/database.js";
import { newId } from "../../ids.js";
import { notifyApprovalRequired } from "../../notifications/index.js";
import { approvalHoldColumns } from "../../policy/index.js";
import type { HoldDecision } from "../../policy/types.js";
import type { ServiceView } from "../../registry/serviceView.js";
import { appendRunEvent } from "../../runs/events.js";
import type { SubscriptionView } from "../subscriptionView.js";

/** A renewal's pending approval: the hook token the renewal run waits on, and for how long. */
export interface RenewalApprovalWait {
  token: string;
  timeoutSeconds: number;
}

/**
 * Asks approvers for one renewal the key's policy held, as a held action of a command run does
 * (requestApproval): a pending approval_requests row with the hold's quorum, approvers, rule and
 * expiry, keyed to the renewal run and the renewal's number (its step_index); the approval.required
 * notification; the run in `waiting_approval`; an `approval.required` event. The agent key that
 * owns the session is recorded, so it cannot approve its own renewal. One transaction. Called only
 * when the renewal has no pending request: a retried step finds that one first
 * (readRenewalApproval). A renewal cannot be edited: approvers approve or reject the price as it is.
 */
export async function requestRenewalApproval(
  db: Kysely<Database>,
  parameters: {
    runId: string;
    subscription: SubscriptionView;
    service: ServiceView;
    hold: HoldDecision;
    /** What the renewal pays: base units of a token symbol. */
    price: { amount: string; token: string };
  },
): Promise<RenewalApprovalWait> {
  const { runId, subscription, service, hold } = parameters;
  const stepIndex = subscription.renewals;
  return db.transaction().execute(async (trx) => {
    // The key whose policy held it (the session's owner, as gateRenewal reads it) may not approve.
    const session = await trx
      .selectFrom("agent_sessions")
      .select("api_key_id")
      .where("id", "=", subscription.sessionId)
      .executeTakeFirst();
    const agentKeyId = session?.api_key_id ?? null;
    const token = newId("apr");
    const action: SubscribeAction = {
      type: "subscribe",
      serviceId: service.id,
      serviceName: service.name,
      period: subscription.period,
    };
    const columns = approvalHoldColumns(hold, {
      agentKeyId,
      defaultExpirySeconds: getConfig().APPROVAL_TIMEOUT_SECONDS,
    });
    // `renewals` counts the periods paid so far (the first one included): this pays the next.
    const reason = `renewal for period ${stepIndex + 1} of the subscription ${subscription.id}: ${hold.message}`;
    await trx
      .insertInto("approval_requests")
      .values({
        ...columns,
        reason,
        token,
        run_id: runId,
        session_id: subscription.sessionId,
        step_index: stepIndex,
        action: JSON.stringify(action),
        status: "pending",
      })
      .execute();
    const summary = `renew ${service.name} (${subscription.period}) for ${formatAmount(parameters.price.amount, parameters.price.token)}`;
    await notifyApprovalRequired(trx, {
      token,
      runId,
      stepIndex,
      agentKeyId,
      actionSummary: summary,
      reason,
      requiredApprovals: hold.requiredApprovals,
      expiresAt: columns.expires_at,
    });
    await trx
      .updateTable("runs")
      .set({ status: "waiting_approval", updated_at: new Date() })
      .where("id", "=", runId)
      .where("status", "=", "running")
      .execute();
    await appendRunEvent(trx, {
      runId,
      type: "approval.required",
      data: {
        index: stepIndex,
        token,
        action,
        summary,
        usdValue: columns.amount_usd,
        reason,
        requiredApprovals: hold.requiredApprovals,
        rule: hold.rule,
        expiresAt: columns.expires_at,
      },
      dedupeKey: `${runId}:renewal:${stepIndex}:approval:${token}`,
    });
    const timeoutSeconds = Math.max(
      1,
      Math.ceil((columns.expires_at.getTime() - Date.now()) / 1000),
    );
    return { token, timeoutSeconds };
  });
}
