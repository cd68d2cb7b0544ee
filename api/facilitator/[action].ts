import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { getConfig } from "../../lib/config.js";
import { ClientError } from "../../lib/errors/index.js";
import { type Endpoint, endpoint, json, route } from "../../lib/http/index.js";
import {
  facilitatorResultResponse,
  facilitatorSupportedResponse,
} from "../../lib/http/operationResponses.js";
import { log } from "../../lib/log.js";
import { getDevnetFacilitator } from "../../lib/x402/getDevnetFacilitator.js";
import {
  facilitatorReadAction,
  facilitatorRequest,
  facilitatorWriteAction,
} from "../../lib/x402/schemas.js";
import { settleDevnetPayment } from "../../lib/x402/settleDevnetPayment.js";

/**
 * The devnet x402 facilitator (GET /supported, POST /verify, POST /settle), settling with the
 * official @x402/evm "exact" mechanism. Exists only when PAYGENT_NETWORK=devnet: production
 * resources use X402_FACILITATOR_URL (Cronos Labs' facilitator by default).
 */
const onDevnet = () => getConfig().PAYGENT_NETWORK === "devnet";

const methodNotAllowed =
  "The action is served by the other method: GET supported; POST verify and settle";

/**
 * GET /verify or POST /supported names an action the other method serves: 405 with Allow, before
 * this method's path (400) or body (400) schema would refuse it as the client's malformed input.
 * Off the devnet the route does not exist, so the operation's own 404 answers.
 */
function refusingActionsOf(
  other: { method: "GET" | "POST"; actions: readonly string[] },
  handler: Endpoint,
): Endpoint {
  const answer = route(handler.declaration.route, (request, { params }) => {
    const action = params.action ?? "";
    if (!onDevnet() || !other.actions.includes(action)) return handler(request);
    throw new ClientError(
      "method_not_allowed",
      `${request.method} is not supported on /api/facilitator/${action}; use ${other.method}`,
      { headers: { allow: other.method } },
    );
  });
  return Object.assign(answer, { declaration: handler.declaration });
}

export const GET = refusingActionsOf(
  { method: "POST", actions: ["verify", "settle"] },
  endpoint(
    {
      route: "/api/facilitator/[action]",
      method: "GET",
      operationId: "getFacilitatorSupported",
      summary: "Devnet x402 facilitator: supported schemes and networks (devnet only)",
      tags: ["facilitator"],
      auth: false,
      rateLimit: "public:facilitator",
      enabled: onDevnet,
      params: { action: facilitatorReadAction },
      success: {
        status: 200,
        description: "Supported kinds",
        schema: facilitatorSupportedResponse,
      },
      responses: { 405: methodNotAllowed },
    },
    () => getDevnetFacilitator().getSupported(),
  ),
);

export const POST = refusingActionsOf(
  { method: "GET", actions: ["supported"] },
  endpoint(
    {
      route: "/api/facilitator/[action]",
      method: "POST",
      operationId: "callFacilitator",
      summary: "Devnet x402 facilitator: verify or settle a payment (devnet only)",
      tags: ["facilitator"],
      auth: false,
      rateLimit: "public:facilitator",
      enabled: onDevnet,
      params: { action: facilitatorWriteAction },
      body: { name: "FacilitatorRequest", schema: facilitatorRequest },
      success: {
        status: 200,
        description: "Verification or settlement result (refusals are 400 with a reason)",
        schema: facilitatorResultResponse,
      },
      responses: { 405: methodNotAllowed },
    },
    async ({ params, body }) => {
      const payload = body.paymentPayload as unknown as PaymentPayload;
      const requirements = body.paymentRequirements as unknown as PaymentRequirements;
      const facilitator = getDevnetFacilitator();
      try {
        return params.action === "verify"
          ? await facilitator.verify(payload, requirements)
          : await settleDevnetPayment(payload, requirements, { facilitator }); // hostile (issue 14): async mode
      } catch (error) {
        // The x402 client reads {isValid|success:false, reason} from a 400 as a typed refusal.
        const reason = error instanceof Error ? error.message : "facilitator_error";
        log.warn("facilitator refused", { action: params.action, reason });
        return params.action === "verify"
          ? json({ isValid: false, invalidReason: reason }, { status: 400 })
          : json(
              {
                success: false,
                errorReason: reason,
                transaction: "",
                network: requirements.network,
              },
              { status: 400 },
            );
      }
    },
  ),
);
