import { type Kysely, sql } from "kysely";
import { bookSettledSpend, ledgerId, releaseBudget } from "../budget/index.js";
import type { Cache } from "../cache/index.js";
import type { ChainContext } from "../chain/clients.js";
import { priceUsd } from "../chain/priceUsd.js";
import { findToken } from "../chain/registry.js";
import { getConfig, type NetworkName } from "../config.js";
import type { Database, Payment } from "../db/database.js";
import { log } from "../log.js";
import { recordOutcome } from "../registry/recordOutcome.js";
import { bookCancelGas } from "./bookCancelGas.js";
import { bookPaymentCost } from "./bookPaymentCost.js";
import { bookPolicyWindows } from "./bookPolicyWindows.js";

/** Inputs of bookPaymentOutcome. */
export interface BookPaymentOutcomeParameters {
  db: Kysely<Database>;
  cache?: Cache | undefined;
  payment: Payment;
  /** Prices a spend booked without a reservation (USD limits count it); stablecoins need no RPC. */
  chain?: ChainContext | undefined;
  network?: NetworkName | undefined;
}

/** What booking did. */
export interface BookPaymentOutcomeReturnType {
  /** This call recorded the outcome (booked_at); false when another call already had. */
  claimed: boolean;
  /** settled: spend booked; released: reservation given back; none: nothing to book. */
  budget: "settled" | "released" | "none";
}

/**
 * Books the final outcome of a payment that went through "unknown" against its session and its
 * key's policy windows (policy_reservations, when the step reserved there): a
 * settlement becomes spend (even if its reservation had been released, or there was none), a
 * cancellation or expiry gives the reservation back. A settlement also goes into the cost of the
 * run that paid (bookPaymentCost), once. Then, once (booked_at), the service's
 * reputation gets the outcome: a success only for a settlement whose payee did not fail first.
 * Safe to repeat: the budget and cost operations are idempotent and booked_at is claimed
 * conditionally.
 */
export async function bookPaymentOutcome(
  parameters: BookPaymentOutcomeParameters,
): Promise<BookPaymentOutcomeReturnType> {
  const { db, payment } = parameters;
  const reservation =
    payment.reservation_run_id !== null && payment.reservation_step_index !== null
      ? { runId: payment.reservation_run_id, stepIndex: payment.reservation_step_index }
      : undefined;
  let budget: BookPaymentOutcomeReturnType["budget"] = "none";
  // Priced once, for the spend and the run's cost item alike.
  const paid = payment.status === "settled" ? await paidAmount(parameters) : undefined;
  if (paid && payment.session_id) {
    const { token, amount, usd } = paid;
    await bookSettledSpend({
      db,
      ...(parameters.cache ? { cache: parameters.cache } : {}),
      ledgerRowId: reservation ? ledgerId(reservation) : `x402:${payment.id}`,
      sessionId: payment.session_id,
      runId: reservation?.runId ?? payment.run_id ?? payment.id,
      token,
      amount,
      // Priced here only for a payment nothing reserved: a reserved one keeps its reserved dollars.
      usdAmount: usd,
    });
    budget = "settled";
  } else if ((payment.status === "cancelled" || payment.status === "expired") && reservation) {
    await releaseBudget({
      db,
      ...(parameters.cache ? { cache: parameters.cache } : {}),
      ...reservation,
    });
    budget = "released";
  } else if (
    payment.status !== "settled" &&
    payment.status !== "cancelled" &&
    payment.status !== "expired"
  ) {
    return { claimed: false, budget: "none" };
  }
  // The key's policy windows count it too (the policy_reservations ledger, same reservation id).
  if (reservation)
    await bookPolicyWindows({
      db,
      cache: parameters.cache,
      reservationId: ledgerId(reservation),
      ...(payment.status === "settled"
        ? { outcome: "settle" as const, actualAmount: BigInt(String(payment.amount)) }
        : { outcome: "release" as const }),
    });
  // The money left for the run that paid: its cost says so, once, even if the run ended while the
  // payment was unknown (bookPaymentCost: which payers' own paths book it, and when). Before
  // booked_at, so a crash in between is finished by the reconciler's next pass.
  if (paid) await bookPaymentCost({ db, payment, token: paid.token, usd: paid.usd });
  // A cancel mined after its sender stopped waiting: its gas still belongs to the run (idempotent).
  if (payment.cancel_tx_hash)
    await bookCancelGas({ db, chain: parameters.chain, payment }).catch((error: unknown) =>
      log.warn("cancel gas not added to the run's cost", { paymentId: payment.id, error }),
    );
  const claimed = await db
    .updateTable("payments")
    .set({ booked_at: sql`now()` })
    .where("id", "=", payment.id)
    .where("booked_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (claimed && payment.service_id) {
    const success = payment.status === "settled" && !payment.payee_failed;
    await recordOutcome(db, payment.service_id, { success }).catch((error: unknown) =>
      log.warn("reputation not recorded", { paymentId: payment.id, error }),
    );
  }
  return { claimed: claimed !== undefined, budget };
}

/** A settled payment's token symbol, amount and (with a chain) USD value. */
async function paidAmount(
  parameters: BookPaymentOutcomeParameters,
): Promise<{ token: string; amount: string; usd: string | undefined }> {
  const { payment } = parameters;
  const network = parameters.network ?? getConfig().PAYGENT_NETWORK;
  const token = findToken(network, payment.asset)?.symbol ?? payment.asset;
  const amount = String(payment.amount);
  return { token, amount, usd: await usdOf(parameters.chain, token, amount) };
}

async function usdOf(
  chain: ChainContext | undefined,
  token: string,
  amount: string,
): Promise<string | undefined> {
  if (!chain) return undefined;
  try {
    return (await priceUsd(chain, { token, amount })).usd;
  } catch {
    return undefined;
  }
}
