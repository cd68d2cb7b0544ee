import { z } from "zod";
import { decimalText, tokenRef } from "../amounts/schemas.js";
import { discoverParametersSchema, serviceInputSchema } from "./schemas.js";

/**
 * The public forms of the registry routes (issue 20): prices in whole tokens with a token symbol
 * or address and a network name or CAIP-2 id. toServiceInput / toDiscoverParameters turn them
 * into the base-unit forms lib/registry stores and filters by.
 */

const networkRef = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('Network name ("cronos", "cronos-testnet", "devnet") or CAIP-2 id ("eip155:25")');

/** Refuses the old price form ({amount: "<base units>", asset}) instead of reinterpreting it. */
function refusingOldPriceForm<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, context) => {
    if (value && typeof value === "object" && "asset" in value) {
      context.issues.push({
        code: "custom",
        input: value,
        message:
          'price.asset was replaced by price.token (a symbol such as "USDC" or the address), and price.amount is now whole tokens ("0.10"), not base units',
      });
      return z.NEVER;
    }
    return value;
  }, schema);
}

const priceFields = {
  amount: decimalText.describe('Price per call (or per period) in whole tokens, e.g. "0.10"'),
  token: tokenRef,
  network: networkRef,
};

/** The declared price of a service: {amount: "0.10", token: "USDC", network: "cronos"}. */
export const servicePriceRequest = refusingOldPriceForm(
  z
    .object(priceFields)
    .strict()
    .describe('Declared price, e.g. {"amount": "0.10", "token": "USDC", "network": "cronos"}'),
);
export type ServicePriceRequest = z.output<typeof servicePriceRequest>;

/** Body of POST /api/services. */
export const serviceRequest = serviceInputSchema.extend({ price: servicePriceRequest }).strict();
export type ServiceRequest = z.output<typeof serviceRequest>;

/** Body of PUT /api/services/{id}: any subset; a new price names amount and token together. */
export const serviceUpdateRequest = serviceInputSchema
  .extend({
    description: z.string().trim().max(2000).optional(),
    pricingModel: serviceInputSchema.shape.pricingModel.unwrap().optional(),
    mcpCompatible: z.boolean().optional(),
    price: refusingOldPriceForm(
      z
        .object({ ...priceFields, network: networkRef.optional() })
        .strict()
        .describe("New price; network defaults to the service's current one"),
    ),
  })
  .partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, "at least one field must be given");
export type ServiceUpdateRequest = z.output<typeof serviceUpdateRequest>;

/** Query of GET /api/services and /api/services/discover: prices in whole tokens of priceToken. */
export const discoverRequestQuery = discoverParametersSchema
  .omit({ minPrice: true, maxPrice: true, priceAssets: true })
  .extend({
    minPrice: decimalText
      .optional()
      .describe('Cheapest price, whole tokens of priceToken ("0.05")'),
    maxPrice: decimalText.optional().describe('Dearest price, whole tokens of priceToken ("0.10")'),
    priceToken: tokenRef
      .optional()
      .describe(
        "Token the price filters are in (required with minPrice or maxPrice); only services priced in it match",
      ),
    mcp: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional()
      .describe("true: only MCP-compatible services; false: only the others"),
  })
  .refine(
    (value) => (value.minPrice === undefined && value.maxPrice === undefined) || value.priceToken,
    {
      message:
        "minPrice and maxPrice are whole tokens of priceToken: add priceToken (e.g. maxPrice=0.10&priceToken=USDC)",
      path: ["priceToken"],
    },
  );
export type DiscoverRequestQuery = z.output<typeof discoverRequestQuery>;
