import type { Kysely } from "kysely";
import { releaseBudget } from "../../budget/releaseBudget.js";
import type { Database } from "../../db/database.js";
import { finishRenewalWindows } from "./finishRenewalWindows.js";
import type { RenewalIds } from "./renewalAttempt.js";

/**
 * Gives back the budget and window reservations of a renewal's ended attempts (renewalAttempt:
 * each one's payment was cancelled on chain or expired unused, so it can never land). A late
 * booking of the voided payment (bookPaymentOutcome) may have released them already; both
 * releases are idempotent, and a reservation never made is a no-op.
 */
export async function releaseVoidedAttempts(
  db: Kysely<Database>,
  attempts: RenewalIds[],
): Promise<void> {
  for (const attempt of attempts) {
    await releaseBudget({ db, ...attempt.key });
    await finishRenewalWindows(db, { reservationId: attempt.reservationId, outcome: "release" });
  }
}
