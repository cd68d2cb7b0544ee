import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { getPaymentFor } from "../../lib/x402/getPaymentFor.js";
import { paymentResponse, toPaymentResponse } from "../../lib/x402/responses.js";
import { paymentId } from "../../lib/x402/schemas.js";

/** GET /api/payments/{id} — one payment (404 for payments of other keys' sessions). */
export const GET = endpoint(
  {
    route: "/api/payments/[id]",
    method: "GET",
    operationId: "getPayment",
    summary: "One payment",
    tags: ["payments"],
    auth: "any",
    params: { id: paymentId },
    success: {
      status: 200,
      description: "The payment",
      schema: z.object({ payment: paymentResponse }),
    },
  },
  async ({ principal, params }) => ({
    payment: toPaymentResponse(await getPaymentFor(await getDb(), principal, params.id)),
  }),
);
