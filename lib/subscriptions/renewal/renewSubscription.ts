import type { Kysely } from "kysely";
import type { Address } from "viem";
import { heldUsdValue } from "../../actions/heldUsdValue.js";
import { parseDecimal } from "../../agent/decimal.js";
import { BudgetReservationError } from "../../budget/errors.js";
import { reserveBudget, settleBudget } from "../../budget/index.js";
import { getChainContext } from "../../chain/clients.js";
import { findToken } from "../../chain/registry.js";
import type { Database } from "../../db/database.js";
import { USD_MICRO_DECIMALS } from "../../policy/amounts.js";
import { countAssignedApprovals } from "../../policy/approvals/castApprovalVote.js";
import { chainPricer } from "../../policy/chainPricer.js";
import { PayeeRefusedError } from "../../policy/errors.js";
import type { GateActionReturnType } from "../../policy/gateAction.js";
import { guardPayee } from "../../policy/guardPayee.js";
import { recordOutcome } from "../../registry/recordOutcome.js";
import type { ServiceView } from "../../registry/serviceView.js";
import type { CostItem } from "../../runs/cost.js";
import { appendRunEvent } from "../../runs/events.js";
import { messageOf, retryLater, routeStepError } from "../../runs/execute/stepErrors.js";
import { stepEvidence } from "../../runs/execute/stepEvidence.js";
import { addRunCost } from "../../runs/runState.js";
import { executePayment } from "../../x402/executePayment.js";
import type { SubscriptionView } from "../subscriptionView.js";
import { endSubscription } from "./endSubscription.js";
import { finishRenewalWindows } from "./finishRenewalWindows.js";
import { gateRenewal } from "./gateRenewal.js";
import { loadSubscriptionForRenewal } from "./loadSubscriptionForRenewal.js";
import { readRenewalApproval } from "./readRenewalApproval.js";
import { recordRenewal } from "./recordRenewal.js";
import { recordRenewalFailure } from "./recordRenewalFailure.js";
import { releaseUnsentRenewal } from "./releaseUnsentRenewal.js";
import { releaseVoidedAttempts } from "./releaseVoidedAttempts.js";
import { renewalAttempt } from "./renewalAttempt.js";
import { renewalPolicyAction } from "./renewalPolicyAction.js";
import { renewalRefusal } from "./renewalRefusal.js";
import { requestRenewalApproval } from "./requestRenewalApproval.js";
import { sessionKeyId } from "./sessionKeyId.js";

/**
 * A subscription's renewals, in one place. The durable workflow (workflows/subscriptionRenewal.ts)
 * only orchestrates; this step decides and pays, and every function it calls is safe to retry:
 *
 *   d = loadSubscriptionForRenewal(id)
 *   stop  → release what an unpaid renewal still holds (if nothing was sent); finish the run
 *   wait  → sleep until d.until
 *   renew → gateRenewal: freezes and the key's policy, right before money moves (issue 13)
 *             frozen   → nothing moves; sleep RENEWAL_RETRY_DELAY_SECONDS (the subscription stays)
 *             refused  → endSubscription(id, "expired", the rule); finish the run
 *             held     → requestRenewalApproval: approvers are asked (quorum, expiry of the hold);
 *                        the run waits on the approval's hook, then this step reads the request:
 *                          granted → the gate again, its approvals counted (allowed: go on)
 *                          rejected, expired or cancelled → endSubscription(id, "expired")
 *             allowed  → its policy windows are reserved under the budget reservation's id
 *           reserveBudget(renewalReservationKey(d.subscription, attempt), price), where the attempt
 *             counts the renewal's voided payments (renewalAttempt; earlier attempts' reservations
 *             are released first: their payments can never land)
 *             refused → release the windows; endSubscription(id, "expired"); finish the run
 *           pay the service through x402 (nonce keyed by the renewal's number and attempt)
 *             ok        → settle budget and windows; recordRenewal; sleep until the period ends
 *             unknown   → both reservations kept (bookPaymentOutcome books them); sleep, look again
 *             transient → retried by the workflow (RetryableError), reservations kept
 *             failed    → recordRenewalFailure
 *                           stopped → release (only if nothing may still land); finish the run
 *                           else    → reservations kept for the retry; sleep, retry
 *
 * The gate comes first: a refusal or hold reserves nothing anywhere (gateAction reserves windows
 * only for an allowed spend), so it leaves nothing to give back; only a budget refusal after an
 * allowed gate has windows to release. Reservations go back only when the renewal is over, never
 * before a retry of it: the budget and window ledgers replay a reservation id whatever its status,
 * so a retry that found its reservation released would pay without being counted.
 */

/** Pause before retrying a failed or frozen renewal. */
export const RENEWAL_RETRY_DELAY_SECONDS = 15 * 60;

/** What the renewal workflow does next. */
export type RenewalStep =
  | { action: "wait"; until: string }
  | { action: "retry"; afterSeconds: number }
  /** The policy held the renewal: wait on the approval's hook until it is decided or expires. */
  | { action: "approval"; token: string; timeoutSeconds: number }
  | { action: "stop"; reason: string };

/**
 * One renewal decision and, when due, the renewal itself: the policy gate, reserve budget, pay the
 * period through x402 (nonce keyed by the renewal's number and attempt, so a retried step never pays
 * a period twice), then record it. A freeze defers it; a hold waits for approvers; a policy refusal, a
 * rejected or expired approval, or refused budget, ends the subscription; repeated failures stop it.
 */
export async function renewSubscription(
  db: Kysely<Database>,
  parameters: {
    runId: string;
    subscriptionId: string;
    attempt: number;
    /** The workflow's wait for this renewal's approval timed out (see readRenewalApproval). */
    approvalTimedOut?: boolean;
  },
): Promise<RenewalStep> {
  const { runId, subscriptionId } = parameters;
  const decision = await loadSubscriptionForRenewal(db, subscriptionId);
  if (decision.subscription.runId !== runId) {
    // Only the run linked to the subscription renews it: a second one would pay every period
    // again under the same reservations. What they hold is the linked run's, so nothing is released.
    await cancelPendingApprovals(db, runId);
    return finish(db, runId, "completed", "another run renews this subscription");
  }
  if (decision.action === "stop") return stop(db, runId, decision);
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
  // The current attempt: a new one (new nonce, new reservations) once the last payment was voided.
  const { current: ids, dead } = await renewalAttempt(db, { runId, subscription });
  await releaseVoidedAttempts(db, dead);
  const { stepId, key } = ids;

  // Never more than the price agreed at subscribing: a catalogue price raised since (an admin's
  // update, a re-import of a listing the payee controls) ends the subscription unpaid.
  const raised = priceRaisedSinceAgreed(subscription, service);
  if (raised) {
    await releaseUnsentRenewal(db, ids);
    await endSubscription(db, { subscriptionId, status: "expired", reason: raised });
    return finish(db, runId, "failed", raised);
  }

  // A renewal the policy held waits for its approvers; the request's row says how it ended.
  const approval = await readRenewalApproval(db, {
    runId,
    renewal: subscription.renewals,
    waitTimedOut: parameters.approvalTimedOut,
  });
  if (approval.state === "pending") {
    return { action: "approval", token: approval.token, timeoutSeconds: approval.timeoutSeconds };
  }
  if (approval.state === "refused") {
    await releaseUnsentRenewal(db, ids);
    const reason = `renewal for period ${subscription.renewals + 1} was not approved (approval ${approval.token} ${approval.status})`;
    await endSubscription(db, { subscriptionId, status: "expired", reason });
    return finish(db, runId, "failed", reason);
  }

  const policyAction = renewalPolicyAction({
    subscription,
    service,
    network: chain.network,
    token: token.symbol,
    amount: BigInt(service.price.amount),
  });
  // Read once: the gate and the payee check apply the same key's policy.
  const keyId = await sessionKeyId(db, subscription.sessionId);
  let usdAmount: string | undefined;
  let gate: GateActionReturnType;
  try {
    // What the period is worth now, as the budget and the approvers count it.
    usdAmount = await heldUsdValue(chainPricer(chain, db), token.symbol, service.price.amount);
    // Approvers granted the renewal at the value they were shown: worth more now, asked again.
    const approvalsGranted =
      approval.state === "granted" && !exceedsApprovedValue(usdAmount, approval.amountUsd)
        ? approval.approvals
        : 0;
    // Of those, what a policy with approvers: "assigned" counts: admins' and the votes of
    // approvers assigned to the key, whoever the request was open to (as a command step counts).
    const assignedApprovalsGranted =
      approval.state === "granted" && approvalsGranted > 0
        ? await countAssignedApprovals(db, approval.token, keyId)
        : 0;
    gate = await gateRenewal(db, {
      runId,
      keyId,
      reservationId: ids.reservationId,
      action: policyAction,
      chain,
      approvalsGranted,
      assignedApprovalsGranted,
    });
  } catch (error) {
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, "Gating the renewal");
    // The policy cannot be applied (not a refusal a retry could lift): no renewal outside it.
    await releaseUnsentRenewal(db, ids);
    const reason = `renewal could not be checked against the policy: ${messageOf(error)}`;
    await endSubscription(db, { subscriptionId, status: "failed", reason });
    return finish(db, runId, "failed", reason);
  }
  // A retried step that already sent its payment goes on, like a pay step (policyRefusal): its
  // payment answers from its record and the chain, and signs nothing new (one written but never
  // signed is not sent: the gate's answer stands).
  if (
    gate.outcome !== "allow" &&
    (await stepEvidence(db, stepId, { ignoreUnsent: true })).state === "nothing"
  ) {
    if (gate.outcome === "hold") {
      // Nothing is reserved for a hold. A request already granted that the policy still holds
      // (its quorum grew since) is asked again, for the quorum the policy now names.
      const wait = await requestRenewalApproval(db, {
        runId,
        subscription,
        service,
        hold: gate,
        price: { amount: service.price.amount, token: token.symbol },
      });
      return { action: "approval", ...wait };
    }
    const refusal = renewalRefusal(gate);
    if (refusal.action === "defer") {
      // Kept, not released: what an earlier attempt of this renewal reserved is replayed by the
      // retry once the freeze is lifted (a released id would be replayed too, uncounted).
      await appendRunEvent(db, {
        runId,
        type: "step.finished",
        data: {
          action: "renew",
          status: "deferred",
          renewals: subscription.renewals,
          rule: refusal.rule,
          reason: refusal.reason,
          retryAfterSeconds: RENEWAL_RETRY_DELAY_SECONDS,
        },
        // Once per renewal and rule: a freeze of days would otherwise add one every retry.
        dedupeKey: `${runId}:renewal:${subscription.renewals}:deferred:${refusal.rule}`,
      });
      return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
    }
    await releaseUnsentRenewal(db, ids);
    await endSubscription(db, { subscriptionId, status: "expired", reason: refusal.reason });
    return finish(db, runId, "failed", refusal.reason);
  }

  // What this renewal may pay: what its budget reservation counted. A retry replays the reservation
  // an earlier attempt made, so a catalogue price raised since then is refused unsigned
  // (PriceAboveLimitError) rather than paid above what the budget and the windows counted.
  let reserved: bigint;
  try {
    const { reservation } = await reserveBudget({
      db,
      sessionId: subscription.sessionId,
      ...key,
      token: token.symbol,
      amount: service.price.amount,
      // A session budgeted in USD counts the period at its dollar value (unpriced: refused there).
      usdAmount,
    });
    reserved = BigInt(reservation.amount);
  } catch (error) {
    const route = routeStepError(error);
    if (route === "rethrow") throw error;
    if (route === "retry") throw retryLater(error, parameters.attempt, "Reserving the renewal");
    // The renewal is over: the windows the gate reserved for it go back.
    await releaseUnsentRenewal(db, ids);
    await endSubscription(db, { subscriptionId, status: "expired", reason: messageOf(error) });
    return finish(db, runId, "failed", `renewal refused: ${messageOf(error)}`);
  }
  // Looked at again once the reservation exists: a cancel (or a closed session) accepted before
  // this point is seen here; one accepted after it releases the reservation
  // (releaseCurrentRenewal), which refuses the payment at the budget fence before anything is signed.
  const again = await loadSubscriptionForRenewal(db, subscriptionId);
  if (again.action === "stop") return stop(db, runId, again);
  // Another delivery of this step renewed it meanwhile.
  if (again.action === "wait") return { action: "wait", until: again.until };
  try {
    const payment = await executePayment({
      db,
      runId,
      stepId,
      attempt: ids.attempt,
      sessionId: subscription.sessionId,
      serviceId: service.id,
      url: service.endpoint,
      maxAmount: minBigInt(BigInt(service.price.amount), reserved),
      token: token.symbol,
      allowedAssets: [{ address: token.address as Address, symbol: token.symbol }],
      account: chain.account,
      publicClient: chain.publicClient,
      // hostile (issue 14): cancel a failed payee's authorization; book late settlements here.
      chain,
      reservation: key,
      // The payTo the 402 names, held to the key's payee rules before anything is signed.
      checkPayee: guardPayee(db, { keyId, action: policyAction }),
    });
    // hostile (issue 14): unproven is not failed; keep both reservations and look again later.
    if (payment.status === "unknown") {
      return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
    }
    await settleBudget({ db, ...key, actualAmount: payment.amount });
    await finishRenewalWindows(db, {
      reservationId: ids.reservationId,
      outcome: "settle",
      actualAmount: BigInt(payment.amount),
    });
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
    // The reservations stay while the retry re-sends the same authorization (same nonce).
    if (route === "retry") throw retryLater(error, parameters.attempt, "Renewing the subscription");
    if (error instanceof BudgetReservationError) {
      // The fence refused: the reservation was given back under the step, as a cancel does.
      const now = await loadSubscriptionForRenewal(db, subscriptionId);
      if (now.action === "stop") return stop(db, runId, now);
    }
    if (error instanceof PayeeRefusedError) {
      // The service now names a payee the policy refuses: nothing was signed, and no later
      // renewal would pay it either.
      await releaseUnsentRenewal(db, ids);
      const reason = `renewal refused: ${messageOf(error)}`;
      await endSubscription(db, { subscriptionId, status: "expired", reason });
      return finish(db, runId, "failed", reason);
    }
    await recordOutcome(db, service.id, { success: false }).catch(() => {});
    const { stopped } = await recordRenewalFailure(db, {
      subscriptionId,
      expectedFailures: subscription.consecutiveFailures,
      reason: messageOf(error),
    });
    if (stopped) {
      // A signed authorization may still be settled: its reservations wait for the chain's answer.
      await releaseUnsentRenewal(db, ids);
      return finish(db, runId, "failed", `renewal failed repeatedly: ${messageOf(error)}`);
    }
    // Kept for the retry of this same renewal, which replays them (see above).
    return { action: "retry", afterSeconds: RENEWAL_RETRY_DELAY_SECONDS };
  }
}

/**
 * The subscription stopped (cancelled, ended, its session closed): what an unpaid renewal still
 * holds goes back (only if nothing was sent), a pending approval is cancelled, the run finishes.
 */
async function stop(
  db: Kysely<Database>,
  runId: string,
  decision: { subscription: SubscriptionView; reason: string },
): Promise<RenewalStep> {
  // A renewal that a freeze deferred or a failure left for a retry may still hold reservations,
  // and one the policy held may still wait for approvers.
  const { current, dead } = await renewalAttempt(db, {
    runId,
    subscription: decision.subscription,
  });
  await releaseVoidedAttempts(db, dead);
  await releaseUnsentRenewal(db, current);
  await cancelPendingApprovals(db, runId);
  return finish(db, runId, "completed", decision.reason);
}

/** Why the renewal may not pay the catalogue's price now, if the subscription agreed less. */
function priceRaisedSinceAgreed(
  subscription: SubscriptionView,
  service: ServiceView,
): string | undefined {
  const agreed = subscription.price;
  if (!agreed) return undefined;
  if (agreed.asset.toLowerCase() !== service.price.asset.toLowerCase()) {
    return `the service is now priced in ${service.price.asset}, not ${agreed.asset} as agreed at subscribing; subscribe again to accept it`;
  }
  if (BigInt(service.price.amount) > BigInt(agreed.amount)) {
    return `the service's price rose to ${service.price.amount} base units from the ${agreed.amount} agreed at subscribing; subscribe again to accept it`;
  }
  return undefined;
}

/** True when the renewal is now worth more than the USD value its approvers were shown. */
function exceedsApprovedValue(usdNow: string | undefined, approvedUsd: string | null): boolean {
  if (approvedUsd === null) return false;
  // Unpriced now, priced then: not the value they approved.
  if (usdNow === undefined) return true;
  return parseDecimal(usdNow, USD_MICRO_DECIMALS) > parseDecimal(approvedUsd, USD_MICRO_DECIMALS);
}

/** A stopped renewal run asks approvers nothing more: its pending request is cancelled. */
async function cancelPendingApprovals(db: Kysely<Database>, runId: string): Promise<void> {
  await db
    .updateTable("approval_requests")
    .set({ status: "cancelled", decided_at: new Date() })
    .where("run_id", "=", runId)
    .where("status", "=", "pending")
    .execute();
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

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
