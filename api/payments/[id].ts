import { z } from "zod";
import { assertSessionAccess } from "../../lib/auth/authenticate.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, route, validate } from "../../lib/http/index.js";
import { getPayment, toPaymentView } from "../../lib/x402/payments.js";

export const paymentId = z.string().regex(/^[\w:-]{1,100}$/, "not a payment id");

/** GET /api/payments/{id} — one payment (404 for payments of other keys' sessions). */
export const GET = route("/api/payments/[id]", async (request, { params }) => {
  const principal = await guard(request);
  const id = validate(paymentId, params.id, "payment id");
  const db = await getDb();
  const payment = await getPayment(db, id);
  if (!payment) throw new ClientError("not_found", `Payment ${id} not found`);
  if (principal.scope !== "admin") {
    const session = payment.session_id
      ? await db
          .selectFrom("agent_sessions")
          .select(["id", "api_key_id"])
          .where("id", "=", payment.session_id)
          .executeTakeFirst()
      : undefined;
    // Payments outside any session belong to admins only; answer 404 so ids are not probed.
    if (!session) throw new ClientError("not_found", `Payment ${id} not found`);
    assertSessionAccess(principal, session);
  }
  return json({ payment: toPaymentView(payment) });
});
