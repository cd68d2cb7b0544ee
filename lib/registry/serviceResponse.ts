import { z } from "zod";
import { amountView } from "../amounts/schemas.js";
import { viewAssetAmount } from "../amounts/viewAssetAmount.js";
import { pricingModels } from "./schemas.js";
import type { ServiceView } from "./serviceView.js";

/** A service's price in a response: the amount form plus the stored asset and CAIP-2 network. */
export const servicePriceResponse = amountView.extend({
  asset: z.string().describe("Token contract address the price is paid in"),
  network: z.string().describe('CAIP-2 network id, e.g. "eip155:25"'),
});

/** A service as the API answers it. */
export const serviceResponse = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  endpoint: z.string(),
  pricingModel: z.enum(pricingModels),
  price: servicePriceResponse,
  mcpCompatible: z.boolean(),
  reputation: z.string().describe("0.00–5.00"),
  totalCalls: z.number().int(),
  successes: z.number().int(),
  failures: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ServiceResponse = z.input<typeof serviceResponse>;

/** GET /api/services and /api/services/discover. */
export const servicePage = z.object({
  services: z.array(serviceResponse),
  nextCursor: z.string().nullable(),
  cached: z.boolean().describe("True when the answer came from the discovery cache"),
});

/** A price (base units of an asset on a CAIP-2 network) in the response form. */
export function viewServicePrice(price: { amount: string; asset: string; network: string }) {
  return {
    ...viewAssetAmount(price.amount, price.asset, price.network),
    asset: price.asset,
    network: price.network,
  };
}

/** The stored view of a service (base units inside) → its response form. */
export function toServiceResponse(view: ServiceView): ServiceResponse {
  return { ...view, price: viewServicePrice(view.price) };
}
