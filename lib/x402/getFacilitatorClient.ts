import { type FacilitatorClient, HTTPFacilitatorClient } from "@x402/core/server";
import type { SupportedResponse } from "@x402/core/types";
import { getConfig } from "../config.js";
import { CRONOS_FACILITATOR_URL, CronosFacilitatorClient } from "./cronosFacilitator.js";
import { getDevnetFacilitator } from "./getDevnetFacilitator.js";
import { settleDevnetPayment } from "./settleDevnetPayment.js";

/**
 * The facilitator our paid resources verify and settle with:
 * - X402_FACILITATOR_URL on Cronos Labs' host → the v1-dialect adapter;
 * - any other X402_FACILITATOR_URL → @x402/core's HTTPFacilitatorClient (e.g. our /api/facilitator);
 * - unset on the devnet → the devnet facilitator in process (no HTTP round trip to ourselves);
 * - unset elsewhere → Cronos Labs' facilitator.
 */
export function getFacilitatorClient(): FacilitatorClient {
  const config = getConfig();
  const url = config.X402_FACILITATOR_URL;
  if (url) {
    return new URL(url).hostname === new URL(CRONOS_FACILITATOR_URL).hostname
      ? new CronosFacilitatorClient({ url })
      : new HTTPFacilitatorClient({ url, timeoutMs: 60_000 });
  }
  if (config.PAYGENT_NETWORK === "devnet") {
    const facilitator = getDevnetFacilitator();
    return {
      verify: (payload, requirements) => facilitator.verify(payload, requirements),
      // Sync or async ("pending", settled later) per DEVNET_FACILITATOR_MODE.
      settle: (payload, requirements) =>
        settleDevnetPayment(payload, requirements, { facilitator }),
      getSupported: async () => facilitator.getSupported() as SupportedResponse,
    };
  }
  return new CronosFacilitatorClient();
}
