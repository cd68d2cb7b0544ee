import type { Kysely } from "kysely";
import type { Address } from "viem";
import { releaseBudget, reserveBudget, settleBudget } from "../../budget/index.js";
import { getChainContext } from "../../chain/clients.js";
import { findToken } from "../../chain/registry.js";
import type { Database } from "../../db/database.js";
import { BaseError, isErrorNamed } from "../../errors/index.js";
import { recordOutcome } from "../../registry/recordOutcome.js";
import {
  endSubscription,
  loadSubscriptionForRenewal,
  RENEWAL_RETRY_DELAY_SECONDS,
  recordRenewal,
  recordRenewalFailure,
  renewalReservationKey,
} from "../../subscriptions/renewal.js";
import { executePayment } from "../../x402/executePayment.js";
import type { CostItem } from "../cost.js";
import { appendRunEvent } from "../events.js";
import { addRunCost } from "../runState.js";

/** What the renewal workflow does next. */
export type RenewalStep =
  | { action: "wait"; until: string }
  | { action: "retry"; afterSeconds: number }
  | { action: "stop"; reason: string };

/**
 * One renewal decision and, when due, the renewal itself: reserve budget, pay the period through
 * x402 (nonce keyed by the renewal's number, so a retried step never pays a period twice), then
 * record it. Refused budget ends the subscription; repeated failures stop it.
 */
export async function renewSubscriptionStep(
  db: Kysely<Database>,
  parameters: { runId: string; subscriptionId: string },
): Promise<RenewalStep> {
  const { runId, subscriptionId } = parameters;
  const decision = await loadSubscriptionForRenewal(db, subscriptionId);
  if (decision.action === "stop") return finish(db, runId, "completed", decision.reason);
  if (decision.action === "wait") return { action: "wait", until: decision.until };

  const { subscription, service } = decision;
  const chain = getChainContext();
  const token = findToken(chain.network, service.price.asset);
  if (!token || token.address === "native") {
    await endSubscription(db, {
      subscriptionId,
      status: "failed",
      reason: "service priced in an unknown asset",
    });
    return finish(db, runId, "failed", "service priced in an unknown asset");
  }
  const key = renewalReservationKey(subscription);
  try {
    await reserveBudget({
      db,
      sessionId: subscription.sessionId,
      ...key,
      token: token.symbol,
      amount: service.price.amount,
    });
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    await endSubscription(db, { subscriptionId, status: "expired", reason: error.shortMessage });
    return finish(db, runId, "failed", `renewal refused: ${error.shortMessage}`);
  }
  try {
    const payment = await executePayment({
      db,
      runId,
      stepId: `${runId}:renewal:${subscription.renewals}`,
      sessionId: subscription.sessionId,
      serviceId: service.id,
      url: service.endpoint,
      maxAmount: service.price.amount,
      token: token.symbol,
      allowedAssets: [{ address: token.address as Address, symbol: token.symbol }],
      account: chain.account,
      publicClient: chain.publicClient,
    });
    await settleBudget({ db, ...key, actualAmount: payment.amount });
    const { subscription: renewed } = await recordRenewal(db, {
      subscriptionId,
      expectedPeriodEnd: subscription.currentPeriodEnd,
    });
    if (payment.movedMoney) await recordOutcome(db, service.id, { success: true }).catch(() => {});
    const run = await db
      .selectFrom("runs")
      .select(["id", "cost"])
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    const cost: CostItem = {
      kind: "x402",
      unit: token.symbol,
      amount: payment.amount,
      detail: `renewal ${renewed.renewals}`,
    };
    await addRunCost(db, run, [cost]);
    await appendRunEvent(db, {
      runId,
      type: "step.finished",
      data: {
        action: "renew",
        renewals: renewed.renewals,
        paidUntil: renewed.currentPeriodEnd,
        transaction: payment.transaction,
      },
      dedupeKey: `${runId}:renewal:${subscription.renewals}`,
    });
    return { action: "wait", until: renewed.currentPeriodEnd };
  } catch (error) {
    if (!(error instanceof BaseError) || isErrorNamed(error, "ServiceUnavailableError"))
      throw error;
    await releaseBudget({ db, ...key });
    await recordOutcome(db, service.id, { success: false }).catch(() => {});
    const { stopped } = await recordRenewalFailure(db, {
      subscriptionId,
      expectedFailures: subscription.consecutiveFailures,
      reason: error.shortMessage,
    });
    if (stopped)
      return finish(db, runId, "failed", `renewal failed repeatedly: ${error.shortMessage}`);
    return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
  }
}

async function finish(
  db: Kysely<Database>,
  runId: string,
  status: "completed" | "failed",
  reason: string,
): Promise<RenewalStep> {
  const now = new Date();
  await db
    .updateTable("runs")
    .set({
      status,
      finished_at: now,
      updated_at: now,
      ...(status === "failed"
        ? { error: JSON.stringify({ code: "subscription_ended", message: reason }) }
        : { result: JSON.stringify({ ended: reason }) }),
    })
    .where("id", "=", runId)
    .where("status", "not in", ["completed", "failed", "cancelled"])
    .execute();
  await appendRunEvent(db, {
    runId,
    type: status === "completed" ? "run.completed" : "run.failed",
    data: { reason },
    dedupeKey: `${runId}:${status}`,
  });
  return { action: "stop", reason };
}
