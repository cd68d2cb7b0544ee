import type { Kysely } from "kysely";
import type { Address } from "viem";
import { getChainContext } from "../chain/clients.js";
import { findToken } from "../chain/registry.js";
import type { Database, Run } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { derivedId } from "../ids.js";
import { log } from "../log.js";
import type { PayeeGuard } from "../policy/guardPayee.js";
import type { RunOptions } from "../runs/start/startRun.js";
import { startSubscriptionWorkflow } from "../runs/start/workflows.js";
import { PaymentUnknownError } from "../x402/errors.js";
import { executePayment, type PaymentOutcome } from "../x402/executePayment.js";
import { claimSubscription, releaseSubscriptionClaim } from "./claimSubscription.js";
import { createSubscription } from "./createSubscription.js";
import { attachRenewalRun } from "./renewal/attachRenewalRun.js";
import { recordRenewal } from "./renewal/recordRenewal.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

/**
 * The subscribe action: claim the session's slot for the service, pay the first period through
 * x402, record the subscription, and start its durable renewal run (a run of kind "subscription"
 * that sleeps until each renewal). Every part is keyed by the step, so a retry after a crash finds
 * what the first attempt did: the claim by its step, the payment by its nonce, the subscription by
 * its renewal run, and the workflow by the run's workflow id.
 */
export async function startSubscription(
  db: Kysely<Database>,
  parameters: {
    run: Run;
    stepId: string;
    /** The step's index: its budget reservation, which a late settlement is booked against. */
    stepIndex?: number;
    serviceId: string;
    period: "daily" | "weekly" | "monthly";
    /**
     * Most the first period may cost, in base units: the step's reservation. Without it the
     * catalogue's price as read now.
     */
    maxAmount?: bigint | undefined;
    /** The key's payee rules, run on the payTo the service's 402 names (see executePayment). */
    checkPayee?: PayeeGuard | undefined;
  },
): Promise<{
  subscription: SubscriptionView;
  renewalRunId: string;
  paymentId: string;
  transaction: string | null;
  /** What the first period's payment moved, in base units of `token` (0 when it was not required). */
  amount: string;
  token: string;
}> {
  const { run, stepId, serviceId, period } = parameters;
  const chain = getChainContext();
  const service = await db
    .selectFrom("services")
    .selectAll()
    .where("id", "=", serviceId)
    .executeTakeFirst();
  if (!service) throw new ClientError("not_found", `Service ${serviceId} not found`);
  const token = findToken(chain.network, service.price_asset);
  if (!token || token.address === "native")
    throw new ClientError(
      "unprocessable",
      `${service.name} is priced in an asset this network cannot pay`,
    );

  const renewalRunId = derivedId("run", `${stepId}:subscription`);
  // The id POST /api/subscriptions already answered with, or one fixed by the step, so a retry
  // finds what an earlier attempt created.
  const subscriptionId =
    (run.options as RunOptions | null)?.subscriptionId ??
    derivedId("sub", `${stepId}:subscription`);
  // Refused before anything is paid: another active subscription of this session to the service,
  // or another subscribe step paying one (claimed atomically, so of two racing steps one pays).
  const claim = {
    sessionId: run.session_id,
    serviceId,
    subscriptionId,
    renewalRunId,
    runId: run.id,
    stepId,
  };
  await claimSubscription(db, claim);

  let payment: PaymentOutcome;
  try {
    payment = await executePayment({
      db,
      runId: run.id,
      stepId,
      sessionId: run.session_id,
      serviceId,
      url: service.endpoint,
      maxAmount: parameters.maxAmount ?? service.price_amount,
      token: token.symbol,
      allowedAssets: [{ address: token.address as Address, symbol: token.symbol }],
      account: chain.account,
      publicClient: chain.publicClient,
      // hostile (issue 14): cancel a failed payee's authorization; book late settlements here.
      chain,
      ...(parameters.stepIndex === undefined
        ? {}
        : { reservation: { runId: run.id, stepIndex: parameters.stepIndex } }),
      checkPayee: parameters.checkPayee,
    });
  } catch (error) {
    // Refused unsigned, or voided on chain: nothing of this step can pay, so the slot goes back
    // (kept while a payment of the step is settled or may still settle).
    await releaseSubscriptionClaim(db, claim).catch((releaseError: unknown) => {
      log.warn("subscription claim not released", {
        runId: run.id,
        stepId,
        error: releaseError instanceof Error ? releaseError.message : String(releaseError),
      });
    });
    throw error;
  }
  // hostile (issue 14): an unproven payment is not a subscription yet, nor a failure.
  if (payment.status === "unknown") throw new PaymentUnknownError(payment);

  // Created already linked to its renewal run (one statement), so no other subscribe step can
  // adopt it and start a second renewal run; an earlier attempt's row is found by its id.
  let subscription = await findOwnSubscription(db, { id: subscriptionId, runId: renewalRunId });
  if (!subscription) {
    subscription = await createSubscription(db, {
      sessionId: run.session_id,
      serviceId,
      period,
      id: subscriptionId,
      runId: renewalRunId,
    });
  } else if (subscription.runId !== renewalRunId) {
    // Created unlinked by a version before the link was part of the insert.
    subscription = await attachRenewalRun(db, subscription.id, renewalRunId);
  }
  await db
    .insertInto("runs")
    .values({
      id: renewalRunId,
      session_id: run.session_id,
      kind: "subscription",
      command: `renew ${service.name} ${period}`,
      status: "running",
      options: JSON.stringify({ subscriptionId: subscription.id }),
      api_key_id: run.api_key_id,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  // The first period is paid above: count it, so the renewal run first sleeps a whole period.
  if (subscription.renewals === 0) {
    subscription = (
      await recordRenewal(db, {
        subscriptionId: subscription.id,
        expectedPeriodEnd: subscription.currentPeriodEnd,
      })
    ).subscription;
  }

  const renewalRun = await db
    .selectFrom("runs")
    .select("workflow_run_id")
    .where("id", "=", renewalRunId)
    .executeTakeFirstOrThrow();
  if (!renewalRun.workflow_run_id) {
    const workflowRunId = await startSubscriptionWorkflow({
      runId: renewalRunId,
      subscriptionId: subscription.id,
    });
    await db
      .updateTable("runs")
      .set({ workflow_run_id: workflowRunId, started_at: new Date() })
      .where("id", "=", renewalRunId)
      .where("workflow_run_id", "is", null)
      .execute();
  }
  return {
    subscription,
    renewalRunId,
    paymentId: payment.paymentId,
    transaction: payment.transaction,
    amount: payment.amount,
    token: token.symbol,
  };
}

async function findOwnSubscription(
  db: Kysely<Database>,
  own: { id: string; runId: string },
): Promise<SubscriptionView | undefined> {
  const row = await db
    .selectFrom("service_subscriptions")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", own.id), eb("run_id", "=", own.runId)]))
    .executeTakeFirst();
  return row ? toSubscriptionView(row) : undefined;
}
