import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { PaymentNotFoundError } from "./errors.js";
import { getPayment, type PaymentView, toPaymentView } from "./payments.js";

/**
 * One payment the principal may see: admins see all; other keys only their sessions' payments.
 * Everything else (missing, foreign, outside any session) is the same 404, so ids are not probed.
 */
export async function getPaymentFor(
  db: Kysely<Database>,
  principal: Principal,
  paymentId: string,
): Promise<PaymentView> {
  const payment = await getPayment(db, paymentId);
  if (!payment) throw new PaymentNotFoundError(paymentId);
  if (principal.scope !== "admin") {
    const session = payment.session_id
      ? await db
          .selectFrom("agent_sessions")
          .select(["id", "api_key_id"])
          .where("id", "=", payment.session_id)
          .executeTakeFirst()
      : undefined;
    // Someone else's payment looks exactly like a missing one (never naming its session).
    if (!session || session.api_key_id !== principal.keyId)
      throw new PaymentNotFoundError(paymentId);
  }
  return toPaymentView(payment);
}
