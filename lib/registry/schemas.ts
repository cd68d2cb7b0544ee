import { z } from "zod";

/** A registered service's id; one schema for path parameters and bodies alike. */
export const serviceId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, "must be a service id")
  .describe("Service id (svc_…)");

/** A base-unit integer amount as a decimal string (fits uint256). */
export const baseUnitAmount = z
  .string()
  .regex(/^\d{1,78}$/, "must be a base-unit integer as a decimal string")
  .describe("Amount in the asset's smallest unit, as a decimal string");

/** CAIP-2 network id, e.g. "eip155:338" for Cronos testnet. */
export const caip2Network = z
  .string()
  .regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/, 'must be a CAIP-2 id such as "eip155:338"')
  .describe('CAIP-2 network id, e.g. "eip155:25"');

export const pricingModels = ["pay-per-call", "metered", "subscription"] as const;

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === "http:" || protocol === "https:";
  }, "must be an http(s) URL");

/** Input of createService: everything a provider declares about a paid endpoint. */
export const serviceInputSchema = z.object({
  name: z.string().trim().min(1).max(120).describe("Unique display name, e.g. Market Data API"),
  description: z.string().trim().max(2000).default("").describe("What the service returns"),
  category: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase slug such as market-data")
    .describe("Category slug, e.g. market-data"),
  endpoint: httpUrl.describe("The x402-protected URL the agent calls"),
  pricingModel: z.enum(pricingModels).default("pay-per-call").describe("How the service charges"),
  price: z
    .object({
      amount: baseUnitAmount,
      asset: z.string().trim().min(1).max(128).describe("Token contract address (or symbol)"),
      network: caip2Network,
    })
    .describe("Declared price per call (or per period for subscriptions)"),
  mcpCompatible: z.boolean().default(false).describe("Whether the service speaks MCP"),
});
export type ServiceInput = z.input<typeof serviceInputSchema>;

/** Input of updateService: any subset of the creation fields. */
export const serviceUpdateSchema = serviceInputSchema
  .extend({
    description: z.string().trim().max(2000).optional(),
    pricingModel: z.enum(pricingModels).optional(),
    mcpCompatible: z.boolean().optional(),
    price: serviceInputSchema.shape.price.partial().optional(),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, "at least one field must be given");
export type ServiceUpdate = z.input<typeof serviceUpdateSchema>;

export const discoverSorts = ["reputation", "price"] as const;

/** Filters of discoverServices. Prices are base-unit strings; reputation is 0–5. */
export const discoverParametersSchema = z.object({
  category: z.string().trim().toLowerCase().max(63).optional().describe("Category slug"),
  q: z.string().trim().max(200).optional().describe("Words to look for in name/description"),
  minPrice: baseUnitAmount.optional(),
  maxPrice: baseUnitAmount.optional(),
  priceAssets: z
    .array(z.string().trim().toLowerCase().min(1).max(128))
    .max(8)
    .optional()
    .describe("Only services priced in one of these assets (addresses or symbols)"),
  minReputation: z.coerce.number().min(0).max(5).optional().describe("Minimum reputation, 0–5"),
  mcp: z.boolean().optional().describe("Only services that are (or are not) MCP compatible"),
  sort: z
    .enum(discoverSorts)
    .default("reputation")
    .describe("reputation (best first) or price (cheapest first)"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().describe("nextCursor of the previous page"),
});
export type DiscoverParameters = z.input<typeof discoverParametersSchema>;
