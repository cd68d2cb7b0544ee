import type { Kysely } from "kysely";
import { ledgerId } from "../../budget/index.js";
import type { Database } from "../../db/database.js";
import type { SubscriptionView } from "../subscriptionView.js";
import { renewalReservationKey } from "./renewalReservationKey.js";

/** The ids one attempt of a renewal is known by: its payment's step and attempt, its reservations. */
export interface RenewalIds {
  /** The renewal's payment step id (every attempt's payment row carries it). */
  stepId: string;
  /** With the step id, fixes the attempt's nonce (executePayment). */
  attempt: number;
  /** Its budget reservation; ledgerId(key) is also its policy window reservation's id. */
  key: { runId: string; stepIndex: number };
  reservationId: string;
}

/**
 * Which attempt of the subscription's next renewal is current, and the ids of the earlier ones.
 * An attempt ends only when its payment can never execute: its authorization was cancelled on
 * chain or expired unused (a nonce the token contract will never accept again). Retrying with the
 * same nonce could then never pay, so the next attempt signs a new one. Counting those payments
 * makes the attempt the same however often a step is retried, until the chain voids the current
 * one; a payment still pending or unknown keeps its attempt (and its reservations) current.
 */
export async function renewalAttempt(
  db: Kysely<Database>,
  parameters: { runId: string; subscription: SubscriptionView },
): Promise<{ current: RenewalIds; dead: RenewalIds[] }> {
  const stepId = `${parameters.runId}:renewal:${parameters.subscription.renewals}`;
  const row = await db
    .selectFrom("payments")
    .select((eb) => eb.fn.countAll<string>().as("voided"))
    .where("step_id", "=", stepId)
    .where("status", "in", ["cancelled", "expired"])
    .executeTakeFirstOrThrow();
  const attempts = Number(row.voided);
  const ids = (attempt: number): RenewalIds => {
    const key = renewalReservationKey(parameters.subscription, attempt);
    return { stepId, attempt, key, reservationId: ledgerId(key) };
  };
  return {
    current: ids(attempts),
    dead: Array.from({ length: attempts }, (_, attempt) => ids(attempt)),
  };
}
