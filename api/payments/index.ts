import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { listPayments } from "../../lib/x402/payments.js";
import { paymentPage, toPaymentResponse } from "../../lib/x402/responses.js";
import { listPaymentsQuery } from "../../lib/x402/schemas.js";

/** GET /api/payments — x402 payments, newest first; session keys see their sessions' only. */
export const GET = endpoint(
  {
    route: "/api/payments",
    method: "GET",
    operationId: "listPayments",
    summary: "x402 payments, newest first; session keys see their sessions' only",
    tags: ["payments"],
    auth: "any",
    query: listPaymentsQuery,
    success: { status: 200, description: "A page of payments", schema: paymentPage },
  },
  async ({ principal, query }) => {
    const page = await listPayments(await getDb(), {
      ...query,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      ownerKeyId: principal.scope === "admin" ? undefined : principal.keyId,
    });
    return { ...page, payments: page.payments.map(toPaymentResponse) };
  },
);
