import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Database } from "../db/index.js";
import { ClientError } from "../errors/index.js";
import { validate } from "../http/validate.js";
import { newId } from "../ids.js";
import { ServiceNotFoundError } from "../registry/errors.js";
import { liveSubscriptionClaim } from "./claimSubscription.js";
import { SubscriptionConflictError } from "./errors.js";
import { findActiveSubscriptionId } from "./findActiveSubscriptionId.js";
import { createSubscriptionSchema } from "./schemas.js";
import { type SubscriptionView, toSubscriptionView } from "./subscriptionView.js";

export type CreateSubscriptionParameters = z.input<typeof createSubscriptionSchema> & {
  sessionId: string;
  /** The id promised to the caller in advance (POST /api/subscriptions); default a new one. */
  id?: string;
  /**
   * The run that will renew it, linked in the same statement: a subscription is never left
   * unlinked for another subscribe step to adopt.
   */
  runId?: string;
};

/**
 * Records a subscription of a session to a service. Its first period is due at once: access
 * starts when the renewal workflow has paid it (see lib/subscriptions/renewal.ts), so nothing
 * is ever served unpaid. One active subscription per session and service, and none while another
 * subscribe step holds the slot to pay its first period (claimSubscription); the step's own claim
 * is deleted with the insert.
 */
export async function createSubscription(
  db: Kysely<Database>,
  parameters: CreateSubscriptionParameters,
  options: { now?: Date } = {},
): Promise<SubscriptionView> {
  const input = {
    ...validate(createSubscriptionSchema, parameters, "subscription"),
    sessionId: parameters.sessionId,
  };
  const now = options.now ?? new Date();
  return await db.transaction().execute(async (trx) => {
    // Locking the session serialises concurrent subscribes of one session, so the
    // one-active-subscription check below cannot race.
    const session = await trx
      .selectFrom("agent_sessions")
      .select(["id", "status"])
      .where("id", "=", input.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) throw new ClientError("not_found", `Session ${input.sessionId} not found`);
    if (session.status === "closed") {
      throw new ClientError("conflict", `Session ${input.sessionId} is closed`);
    }
    const service = await trx
      .selectFrom("services")
      .select(["id", "price_amount", "price_asset"])
      .where("id", "=", input.serviceId)
      .executeTakeFirst();
    if (!service) throw new ServiceNotFoundError(input.serviceId);
    const existingId = await findActiveSubscriptionId(trx, input.sessionId, input.serviceId);
    if (existingId) throw new SubscriptionConflictError(existingId, input.serviceId);
    // Another subscribe step holds the slot while it pays its first period (claimSubscription).
    const id = parameters.id ?? newId("sub");
    const claim = await liveSubscriptionClaim(trx, input.sessionId, input.serviceId);
    if (claim && claim.subscription_id !== id) {
      throw new SubscriptionConflictError(claim.subscription_id, input.serviceId, "paying");
    }
    const row = await trx
      .insertInto("service_subscriptions")
      .values({
        id,
        session_id: input.sessionId,
        service_id: input.serviceId,
        period: input.period,
        status: "active",
        current_period_end: now,
        run_id: parameters.runId ?? null,
        // Agreed now: renewals pay at most this (renewSubscription).
        price_amount: service.price_amount,
        price_asset: service.price_asset,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The active subscription holds the slot from now on: its step's claim is done.
    if (claim) {
      await trx
        .deleteFrom("subscription_claims")
        .where("session_id", "=", input.sessionId)
        .where("service_id", "=", input.serviceId)
        .where("subscription_id", "=", id)
        .execute();
    }
    return toSubscriptionView(row);
  });
}
