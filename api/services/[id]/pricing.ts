import { z } from "zod";
import { getDb } from "../../../lib/db/index.js";
import { isErrorNamed } from "../../../lib/errors/index.js";
import { guard } from "../../../lib/http/guard.js";
import { json, route, validate } from "../../../lib/http/index.js";
import { getService, type PricingProbeError, probePricing } from "../../../lib/registry/index.js";

export const serviceId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "must be a service id");

/**
 * GET /api/services/{id}/pricing — the live price, read from the service's own 402 answer
 * (cached 60 s), next to the declared one. A provider that does not answer a proper 402 is a
 * 502: the registry entry exists, the upstream misbehaves.
 */
export const GET = route("/api/services/[id]/pricing", async (request, { params }) => {
  // Each call may reach out to the provider: count it like a command.
  await guard(request, { rateLimit: "command" });
  const id = validate(serviceId, params.id, "service id");
  const service = await getService(await getDb(), id);
  try {
    const live = await probePricing(service);
    return json({ serviceId: id, declared: service.price, live });
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
});
