import { z } from "zod";
import { getDb } from "../../../lib/db/index.js";
import { isErrorNamed } from "../../../lib/errors/index.js";
import { endpoint, json } from "../../../lib/http/index.js";
import {
  getService,
  type PricingProbeError,
  probePricing,
  serviceId,
  servicePriceResponse,
  viewServicePrice,
} from "../../../lib/registry/index.js";

/** Declared and live price, each in the amount response form. */
const servicePricing = z.object({
  serviceId: z.string(),
  declared: servicePriceResponse,
  live: servicePriceResponse.extend({
    serviceId: z.string(),
    endpoint: z.string(),
    x402Version: z.number().int(),
    scheme: z.string(),
    payTo: z.string(),
    maxTimeoutSeconds: z.number().optional(),
    extra: z.record(z.string(), z.unknown()),
    matchesRegistry: z.boolean().describe("Whether the live price equals the declared one"),
    probedAt: z.string(),
    cached: z.boolean(),
  }),
});

/**
 * GET /api/services/{id}/pricing — the live price, read from the service's own 402 answer
 * (cached 60 s), next to the declared one. A provider that does not answer a proper 402 is a
 * 502: the registry entry exists, the upstream misbehaves.
 */
export const GET = endpoint(
  {
    route: "/api/services/[id]/pricing",
    method: "GET",
    operationId: "getServicePricing",
    summary: "The live price from the service's own 402 answer, next to the declared one",
    tags: ["services"],
    auth: "any",
    // Each call may reach out to the provider: count it like a command.
    rateLimit: "command",
    params: { id: serviceId },
    success: { status: 200, description: "Declared and live price", schema: servicePricing },
    responses: { 502: "The provider did not answer a proper 402" },
  },
  async ({ params: { id } }) => {
    const service = await getService(await getDb(), id);
    try {
      const live = await probePricing(service);
      return {
        serviceId: id,
        declared: viewServicePrice(service.price),
        live: { ...live, ...viewServicePrice(live) },
      };
    } catch (error) {
      if (!isErrorNamed(error, "PricingProbeError")) throw error;
      const probe = error as PricingProbeError;
      return json(
        {
          error: {
            code: "pricing_probe_failed",
            message: probe.shortMessage,
            ...(probe.status === undefined ? {} : { upstreamStatus: probe.status }),
          },
          serviceId: id,
          declared: viewServicePrice(service.price),
        },
        { status: 502 },
      );
    }
  },
);
