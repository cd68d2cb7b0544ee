import { getDb } from "../../../lib/db/index.js";
import { isErrorNamed } from "../../../lib/errors/index.js";
import { endpoint, json } from "../../../lib/http/index.js";
import {
  getService,
  type PricingProbeError,
  probePricing,
  serviceId,
} from "../../../lib/registry/index.js";

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
    success: { status: 200, description: "Declared and live price" },
    responses: { 502: "The provider did not answer a proper 402" },
  },
  async ({ params: { id } }) => {
    const service = await getService(await getDb(), id);
    try {
      return { serviceId: id, declared: service.price, live: await probePricing(service) };
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
          declared: service.price,
        },
        { status: 502 },
      );
    }
  },
);
