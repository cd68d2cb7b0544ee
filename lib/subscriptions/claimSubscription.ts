import type { Kysely, Transaction } from "kysely";
import type { Database, SubscriptionClaimsTable } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { terminalRunStatuses } from "../runs/runState.js";
import { SubscriptionConflictError } from "./errors.js";
import { findActiveSubscriptionId } from "./findActiveSubscriptionId.js";

/** What a subscribe step claims: the (session, service) slot, for the subscription it will make. */
export interface SubscriptionClaim {
  sessionId: string;
  serviceId: string;
  /** The id the subscription gets once its first period is paid. */
  subscriptionId: string;
  renewalRunId: string;
  /** The subscribing run and step: a retry of that step finds its own claim. */
  runId: string;
  stepId: string;
}

type ClaimRow = Pick<
  SubscriptionClaimsTable,
  "session_id" | "service_id" | "subscription_id" | "run_id" | "step_id"
>;

/**
 * Takes the session's slot for the service before the first period is paid, so that of two
 * subscribe steps racing each other only one pays: the other is refused here, unsigned, with
 * SubscriptionConflictError. Serialised on the session's row lock (as createSubscription is) and
 * unique per session and service (migration 0160).
 *
 * A retry of the same step finds its own claim, or the subscription an earlier attempt made, and
 * goes on. Refused: another active subscription of the session to the service, or another step's
 * claim that may still pay (see claimMayStillPay; a dead claim is taken over), or a closed session.
 */
export async function claimSubscription(
  db: Kysely<Database>,
  claim: SubscriptionClaim,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const session = await trx
      .selectFrom("agent_sessions")
      .select(["id", "status"])
      .where("id", "=", claim.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) throw new ClientError("not_found", `Session ${claim.sessionId} not found`);
    // An earlier attempt of this step made the subscription: it holds the slot.
    const own = await trx
      .selectFrom("service_subscriptions")
      .select("id")
      .where((eb) =>
        eb.or([eb("id", "=", claim.subscriptionId), eb("run_id", "=", claim.renewalRunId)]),
      )
      .executeTakeFirst();
    if (own) return;
    if (session.status === "closed") {
      throw new ClientError("conflict", `Session ${claim.sessionId} is closed`);
    }
    const otherId = await findActiveSubscriptionId(trx, claim.sessionId, claim.serviceId);
    if (otherId) throw new SubscriptionConflictError(otherId, claim.serviceId);
    const holder = await liveSubscriptionClaim(trx, claim.sessionId, claim.serviceId);
    if (holder) {
      if (holder.step_id === claim.stepId && holder.run_id === claim.runId) return;
      throw new SubscriptionConflictError(holder.subscription_id, claim.serviceId, "paying");
    }
    await trx
      .insertInto("subscription_claims")
      .values({
        session_id: claim.sessionId,
        service_id: claim.serviceId,
        subscription_id: claim.subscriptionId,
        renewal_run_id: claim.renewalRunId,
        run_id: claim.runId,
        step_id: claim.stepId,
      })
      .execute();
  });
}

/**
 * The claim on the session's slot for the service, if its step may still pay; a dead one (its
 * run ended and nothing it signed can still settle) is deleted and undefined returned, so a claim
 * never blocks the slot for good. Call with the session's row locked.
 */
export async function liveSubscriptionClaim(
  trx: Transaction<Database>,
  sessionId: string,
  serviceId: string,
): Promise<ClaimRow | undefined> {
  const claim = await trx
    .selectFrom("subscription_claims")
    .select(["session_id", "service_id", "subscription_id", "run_id", "step_id"])
    .where("session_id", "=", sessionId)
    .where("service_id", "=", serviceId)
    .executeTakeFirst();
  if (!claim) return undefined;
  if (await claimMayStillPay(trx, claim)) return claim;
  await trx
    .deleteFrom("subscription_claims")
    .where("session_id", "=", sessionId)
    .where("service_id", "=", serviceId)
    .where("step_id", "=", claim.step_id)
    .where("run_id", "=", claim.run_id)
    .execute();
  return undefined;
}

/**
 * Whether the claiming step may still go on: its run is not over (a retry finds the claim), its
 * budget reservation is still held, or a payment it sent is still unknown (it may settle until
 * the chain says otherwise). The reservation counts because a run cancelled while its step runs
 * is over before the step is: the step may still sign until its reservation is released, which
 * waits for the workflow to end (resolveHeldSpends). Once it is released, an unsent payment of the
 * step is refused before signing.
 */
async function claimMayStillPay(trx: Transaction<Database>, claim: ClaimRow): Promise<boolean> {
  const row = await trx
    .selectNoFrom((eb) => [
      eb
        .exists(
          trx
            .selectFrom("runs")
            .select("id")
            .where("id", "=", claim.run_id)
            .where("status", "not in", [...terminalRunStatuses]),
        )
        .as("running"),
      eb.exists(heldReservation(trx, claim.step_id)).as("reserved"),
      eb.exists(paymentsMayStillSettle(trx, claim.run_id, claim.step_id, [])).as("inFlight"),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.running || row.reserved || row.inFlight);
}

/** The step's budget reservation (its ledger row, `${runId}:${index}` as its step id), while held. */
function heldReservation(db: Kysely<Database>, stepId: string) {
  return db
    .selectFrom("spend_ledger")
    .select("id")
    .where("id", "=", stepId)
    .where("status", "=", "reserved");
}

/** The step's payments that may still settle (unknown, or sent and pending), and any `also`. */
function paymentsMayStillSettle(
  db: Kysely<Database>,
  runId: string,
  stepId: string,
  also: "settled"[],
) {
  return db
    .selectFrom("payments")
    .select("id")
    .where("run_id", "=", runId)
    .where("step_id", "=", stepId)
    .where((eb) =>
      eb.or([
        eb("status", "in", ["unknown", ...also]),
        eb.and([eb("status", "=", "pending"), eb("sent_at", "is not", null)]),
      ]),
    );
}

/**
 * Gives the slot back after the step's first payment definitively failed (refused before
 * signing, or its authorization voided on chain), so a later subscribe can proceed. Kept while a
 * payment of the step is settled (the retry makes the subscription) or may still settle (sent and
 * pending, or unknown: nothing changes until the chain says), and while the step's budget
 * reservation is held: another delivery of the same step may be about to sign against it. A
 * command's step then gives the slot back when its run ends and the reservation is released
 * (the claim is dead then, see claimMayStillPay). Returns whether it was released.
 */
export async function releaseSubscriptionClaim(
  db: Kysely<Database>,
  claim: Pick<SubscriptionClaim, "sessionId" | "serviceId" | "runId" | "stepId">,
): Promise<boolean> {
  const released = await db
    .deleteFrom("subscription_claims")
    .where("session_id", "=", claim.sessionId)
    .where("service_id", "=", claim.serviceId)
    .where("run_id", "=", claim.runId)
    .where("step_id", "=", claim.stepId)
    .where(({ not, exists }) => not(exists(heldReservation(db, claim.stepId))))
    .where(({ not, exists }) =>
      not(exists(paymentsMayStillSettle(db, claim.runId, claim.stepId, ["settled"]))),
    )
    .executeTakeFirst();
  return Number(released.numDeletedRows) > 0;
}
