import { type Kysely, sql } from "kysely";
import type { Hex, PublicClient } from "viem";
import type { Cache } from "../cache/index.js";
import type { ChainContext } from "../chain/clients.js";
import type { NetworkName } from "../config.js";
import type { Database, Payment } from "../db/database.js";
import { log } from "../log.js";
import { bookPaymentOutcome } from "./bookPaymentOutcome.js";
import { markPaymentUnknown } from "./paymentRecords.js";
import { resolvePayment } from "./resolvePayment.js";

/** Inputs of resolveUnknownPayments. */
export interface ResolveUnknownPaymentsParameters {
  db: Kysely<Database>;
  publicClient: PublicClient;
  /**
   * The agent's chain context: cancels (EIP-3009) the authorizations of payees that failed, and
   * prices spend booked without a reservation. Without it those payments wait for their expiry.
   */
  chain?: ChainContext | undefined;
  cache?: Cache | undefined;
  network?: NetworkName | undefined;
  /** A pending payment sent this long ago belongs to a process that died (default 120 s). */
  staleAfterSeconds?: number | undefined;
  /** Most payments looked at per call (default 50). */
  limit?: number | undefined;
  /**
   * Called once per payment whose outcome this call booked, e.g. to wake the run waiting on
   * `payment:<nonce>` (wakeRun with wakeTokens.payment). Failures are logged, not thrown.
   */
  onResolved?: ((payment: Payment) => Promise<unknown>) | undefined;
  /** Clock (tests). */
  now?: Date | undefined;
}

/** What one pass did, by payment id. */
export interface ResolveUnknownPaymentsReturnType {
  checked: number;
  settled: string[];
  released: string[];
  stillUnknown: string[];
}

/**
 * The reconciler of unproven payments (cron / background checks): for every payment that is
 * unknown, or pending long after it was sent (its process died), it asks the chain —
 * authorizationState and the AuthorizationUsed / AuthorizationCanceled logs — and cancels the
 * authorization of a payee that failed when the token allows it. Settled → booked as spend against
 * the session (and the service's reputation); cancelled or expired → reservation released; still
 * unused and valid → left unknown for the next pass. Also finishes bookings a crash interrupted.
 * Safe to run concurrently: every write is conditional and booking is claimed once.
 */
export async function resolveUnknownPayments(
  parameters: ResolveUnknownPaymentsParameters,
): Promise<ResolveUnknownPaymentsReturnType> {
  const { db } = parameters;
  const now = parameters.now ?? new Date();
  const staleBefore = new Date(now.getTime() - (parameters.staleAfterSeconds ?? 120) * 1000);
  const candidates = await db
    .selectFrom("payments")
    .selectAll()
    .where((eb) =>
      eb.or([
        eb("status", "=", "unknown"),
        eb.and([
          eb("status", "=", "pending"),
          eb("sent_at", "is not", null),
          eb("updated_at", "<", staleBefore),
        ]),
        // Resolved, but the booking did not happen (a crash in between): finish it.
        eb.and([eb("unknown_since", "is not", null), eb("booked_at", "is", null)]),
      ]),
    )
    .orderBy("updated_at")
    .limit(parameters.limit ?? 50)
    .execute();

  const result: ResolveUnknownPaymentsReturnType = {
    checked: candidates.length,
    settled: [],
    released: [],
    stillUnknown: [],
  };
  for (const candidate of candidates) {
    try {
      const booked = await resolveOne(parameters, candidate);
      if (booked === "settled") result.settled.push(candidate.id);
      else if (booked === "released") result.released.push(candidate.id);
      else if (booked === "unknown") result.stillUnknown.push(candidate.id);
    } catch (error) {
      // One payment's RPC or database trouble must not stop the others.
      log.warn("unknown payment not resolved", { paymentId: candidate.id, error });
      result.stillUnknown.push(candidate.id);
    }
  }
  return result;
}

async function resolveOne(
  parameters: ResolveUnknownPaymentsParameters,
  candidate: Payment,
): Promise<"settled" | "released" | "unknown" | "none"> {
  const { db, publicClient } = parameters;
  let payment = candidate;
  if (payment.status === "pending") {
    payment = await markPaymentUnknown(db, payment.nonce as Hex, {
      reason: "the process that sent it stopped before its outcome was known",
      payeeFailed: false,
    });
  }
  if (payment.status === "unknown") {
    const resolution = await resolvePayment({
      db,
      publicClient,
      payment,
      cancelWith: payment.payee_failed ? parameters.chain : undefined,
    });
    if (resolution.status === "unknown") {
      // Still exposure: touch the row so the oldest unknowns do not starve the rest of the list.
      await db
        .updateTable("payments")
        .set({ updated_at: sql`now()` })
        .where("id", "=", payment.id)
        .where("status", "=", "unknown")
        .execute();
      return "unknown";
    }
    payment = resolution.payment;
  }
  const booking = await bookPaymentOutcome({
    db,
    cache: parameters.cache,
    payment,
    chain: parameters.chain,
    network: parameters.network,
  });
  if (booking.claimed) {
    log.info("unknown payment resolved", { paymentId: payment.id, status: payment.status });
    await parameters
      .onResolved?.(payment)
      .catch((error: unknown) => log.warn("payment wake failed", { paymentId: payment.id, error }));
  }
  if (payment.status === "settled") return "settled";
  if (payment.status === "cancelled" || payment.status === "expired") return "released";
  return "none";
}
