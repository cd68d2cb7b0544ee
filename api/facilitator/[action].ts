import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { z } from "zod";
import { getConfig } from "../../lib/config.js";
import { ClientError } from "../../lib/errors/index.js";
import { json, parseJsonBody, route } from "../../lib/http/index.js";
import { log } from "../../lib/log.js";
import { getDevnetFacilitator } from "../../lib/x402/getDevnetFacilitator.js";

/**
 * The devnet x402 facilitator (GET /supported, POST /verify, POST /settle), settling with the
 * official @x402/evm "exact" mechanism. Exists only when PAYGENT_NETWORK=devnet: production
 * resources use X402_FACILITATOR_URL (Cronos Labs' facilitator by default).
 */

export const requestSchema = z.object({
  x402Version: z.number().int().min(1).max(2),
  paymentPayload: z.looseObject({
    x402Version: z.number().int(),
    payload: z.record(z.string(), z.unknown()),
  }),
  paymentRequirements: z.looseObject({
    scheme: z.string(),
    network: z.string(),
    asset: z.string(),
    payTo: z.string(),
  }),
});

function assertDevnet(): void {
  if (getConfig().PAYGENT_NETWORK !== "devnet") {
    throw new ClientError("not_found", "The facilitator is served on the devnet only");
  }
}

export const GET = route("/api/facilitator/[action]", async (_request, { params }) => {
  assertDevnet();
  if (params.action !== "supported")
    throw new ClientError("not_found", "Unknown facilitator action");
  return json(getDevnetFacilitator().getSupported());
});

export const POST = route("/api/facilitator/[action]", async (request, { params }) => {
  assertDevnet();
  const action = params.action;
  if (action !== "verify" && action !== "settle") {
    throw new ClientError("not_found", "Unknown facilitator action");
  }
  const body = await parseJsonBody(request, requestSchema);
  const payload = body.paymentPayload as unknown as PaymentPayload;
  const requirements = body.paymentRequirements as unknown as PaymentRequirements;
  const facilitator = getDevnetFacilitator();
  try {
    if (action === "verify") return json(await facilitator.verify(payload, requirements));
    return json(await facilitator.settle(payload, requirements));
  } catch (error) {
    // The x402 client reads {isValid|success:false, reason} from a 400 as a typed refusal.
    const reason = error instanceof Error ? error.message : "facilitator_error";
    log.warn("facilitator refused", { action, reason });
    return action === "verify"
      ? json({ isValid: false, invalidReason: reason }, { status: 400 })
      : json(
          { success: false, errorReason: reason, transaction: "", network: requirements.network },
          { status: 400 },
        );
  }
});
