import { z } from "zod";
import { serviceInputSchema } from "./schemas.js";

/** Networks with a curated list (the devnet has its own demo services, seeded by `npm run dev`). */
export const curatedNetworks = ["cronos-testnet", "cronos"] as const;
export type CuratedNetwork = (typeof curatedNetworks)[number];

/**
 * One entry of a curated list: a real, public x402 service, with where its provider documents the
 * endpoint and the price, and when someone last checked that it answers 402 with those terms.
 */
export const curatedServiceSchema = serviceInputSchema.extend({
  source: z
    .string()
    .url()
    .describe("Page where the provider publishes this endpoint and its price"),
  checkedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a YYYY-MM-DD date")
    .describe("Day its 402 answer was last seen to match the declared price"),
});
export type CuratedService = z.input<typeof curatedServiceSchema>;

/**
 * The curated lists `npm run registry:seed -- --network <network>` loads.
 *
 * Both are empty on purpose. An entry needs an endpoint its provider publishes, a 402 answer that
 * was seen to match the declared price, asset and network, and a date; no such Cronos service
 * could be checked when this list was written (the project is built without internet access), and
 * an invented or unverified endpoint would send an agent's money somewhere nobody vouched for.
 * To add one: append an entry with its `source` and `checkedOn`, price in base units of the
 * network's USDC.e, and `price.network` "eip155:338" (testnet) or "eip155:25" (mainnet). The
 * Bazaar import and `POST /api/services` are the other ways in.
 */
export const curatedServices: Record<CuratedNetwork, readonly CuratedService[]> = {
  "cronos-testnet": [],
  cronos: [],
};
