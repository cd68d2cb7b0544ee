import { z } from "zod";

/**
 * Response schemas of the operational routes (health, cron, webhooks, the devnet facilitator, the
 * demo paid APIs, this document), where no domain module owns the shape.
 */

/** GET /api/health (200 ok, 503 degraded: the same body). */
export const healthResponse = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.string(),
  cache: z.string(),
  world: z.string(),
  chain: z.string(),
  details: z.object({
    database: z.string(),
    cache: z.string(),
    world: z.string(),
    network: z.string(),
  }),
});

/** GET /api/cron/chain: counts of what each background check did. */
export const backgroundChecksResponse = z.record(z.string(), z.unknown());

/** POST /api/webhooks/payment. */
export const paymentWebhookResponse = z.object({
  eventId: z.string(),
  paymentId: z.string(),
  status: z.string(),
  resumed: z.boolean(),
});

/** POST /api/webhooks/chain. */
export const chainWebhookResponse = z.object({
  eventId: z.string(),
  checked: z.number().int(),
  settled: z.array(z.object({ hash: z.string(), status: z.string(), woke: z.boolean() })),
});

/** GET /api/facilitator/supported (x402 facilitator "supported" answer). */
export const facilitatorSupportedResponse = z
  .object({ kinds: z.array(z.record(z.string(), z.unknown())) })
  .catchall(z.unknown());

/** POST /api/facilitator/{verify|settle} (x402 facilitator answers). */
export const facilitatorResultResponse = z.union([
  z.object({ isValid: z.boolean() }).catchall(z.unknown()),
  z.object({ success: z.boolean() }).catchall(z.unknown()),
]);

/** GET /api/demo/market-data. */
export const demoMarketDataResponse = z.object({
  pair: z.literal("CRO/USDC"),
  network: z.string(),
  dex: z.string(),
  pool: z.string(),
  price: z.string().describe("USDC per CRO, decimal"),
  reserves: z.object({ cro: z.string(), usdc: z.string() }),
  blockNumber: z.string(),
  timestamp: z.string(),
});

/** GET /api/demo/chain-stats. */
export const demoChainStatsResponse = z.object({
  network: z.string(),
  chainId: z.number().int(),
  blockNumber: z.string(),
  blockHash: z.string().nullable(),
  baseFeePerGas: z.string().nullable(),
  gasPrice: z.string(),
  transactions: z.number().int(),
  timestamp: z.string(),
});

/** GET /api/openapi.json: an OpenAPI 3.1 document. */
export const openApiDocumentResponse = z
  .object({
    openapi: z.literal("3.1.0"),
    info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
    paths: z.record(z.string(), z.unknown()),
    components: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown());
