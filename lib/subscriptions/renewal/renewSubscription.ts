import type { Kysely } from "kysely";
import type { Address } from "viem";
import { releaseBudget, reserveBudget, settleBudget } from "../../budget/index.js";
import { getChainContext } from "../../chain/clients.js";
import { findToken } from "../../chain/registry.js";
import type { Database } from "../../db/database.js";
import { recordOutcome } from "../../registry/recordOutcome.js";
import type { CostItem } from "../../runs/cost.js";
import { appendRunEvent } from "../../runs/events.js";
import { messageOf, retryLater, routeStepError } from "../../runs/execute/stepErrors.js";
import { stepEvidence } from "../../runs/execute/stepEvidence.js";
import { addRunCost } from "../../runs/runState.js";
import { executePayment } from "../../x402/executePayment.js";
import { endSubscription } from "./endSubscription.js";
import { loadSubscriptionForRenewal } from "./loadSubscriptionForRenewal.js";
import { recordRenewal } from "./recordRenewal.js";
import { recordRenewalFailure } from "./recordRenewalFailure.js";
import { renewalReservationKey } from "./renewalReservationKey.js";

/**
 * A subscription's renewals, in one place. The durable workflow (workflows/subscriptionRenewal.ts)
 * only orchestrates; this step decides and pays, and every function it calls is safe to retry:
 *
 *   d = loadSubscriptionForRenewal(id)
 *   stop  → finish the run; wait → sleep until d.until
 *   renew → reserveBudget(renewalReservationKey(d.subscription), price)
 *             refused → endSubscription(id, "expired"); finish the run
 *           pay the service through x402 (nonce keyed by the renewal's number)
 *             ok        → settleBudget; recordRenewal; sleep until the new period ends
 *             transient → retried by the workflow (RetryableError), reservation kept
 *             failed    → release (only if nothing may still land); recordRenewalFailure
 *                           stopped → finish the run; else sleep RENEWAL_RETRY_DELAY_SECONDS
 */

/** Pause before retrying a failed renewal. */
export const RENEWAL_RETRY_DELAY_SECONDS = 15 * 60;

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
export async function renewSubscription(
  db: Kysely<Database>,
  parameters: { runId: string; subscriptionId: string; attempt: number },
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
  const stepId = `${runId}:renewal:${subscription.renewals}`;
  try {
    await reserveBudget({
      db,
      sessionId: subscription.sessionId,
      ...key,
      token: token.symbol,
      amount: service.price.amount,
    });
  } catch (error) {
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, "Reserving the renewal");
    await endSubscription(db, { subscriptionId, status: "expired", reason: messageOf(error) });
    return finish(db, runId, "failed", `renewal refused: ${messageOf(error)}`);
  }
  try {
    const payment = await executePayment({
      db,
      runId,
      stepId,
      sessionId: subscription.sessionId,
      serviceId: service.id,
      url: service.endpoint,
      maxAmount: service.price.amount,
      token: token.symbol,
      allowedAssets: [{ address: token.address as Address, symbol: token.symbol }],
      account: chain.account,
      publicClient: chain.publicClient,
      // hostile (issue 14): cancel a failed payee's authorization; book late settlements here.
      chain,
      reservation: key,
    });
    // hostile (issue 14): unproven is not failed; keep the reservation and look again later.
    if (payment.status === "unknown") {
      return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
    }
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
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    // The reservation stays while the retry re-sends the same authorization (same nonce).
    if (route === "retry") throw retryLater(error, parameters.attempt, "Renewing the subscription");
    // A signed authorization may still be settled: its reservation waits for the chain's answer.
    if ((await stepEvidence(db, stepId)).state === "nothing") await releaseBudget({ db, ...key });
    await recordOutcome(db, service.id, { success: false }).catch(() => {});
    const { stopped } = await recordRenewalFailure(db, {
      subscriptionId,
      expectedFailures: subscription.consecutiveFailures,
      reason: messageOf(error),
    });
    if (stopped)
      return finish(db, runId, "failed", `renewal failed repeatedly: ${messageOf(error)}`);
    return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
  }
}

/** Ends the renewal run (idempotent) and tells the stream why. */
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
