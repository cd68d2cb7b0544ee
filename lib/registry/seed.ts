import type { Kysely } from "kysely";
import { z } from "zod";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import { caip2Network } from "./schemas.js";
import type { ServiceView } from "./serviceView.js";
import { upsertServices } from "./upsertServices.js";

export interface SeedDemoServicesParameters {
  /** Base URL of the deployment serving /api/demo/* (no trailing slash needed). */
  baseUrl: string;
  /** CAIP-2 network, "eip155:<chainId>". */
  network: string;
  /** Address of the USDC-like EIP-3009 token the demo services charge in. */
  usdcAddress: string;
}

const seedSchema = z.object({
  baseUrl: z.string().refine((v) => URL.canParse(v), "must be a URL"),
  network: caip2Network,
  usdcAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address"),
});

/** The devnet demo services, served by the x402 demo handlers in api/demo/. */
export function demoServices(parameters: SeedDemoServicesParameters) {
  const base = parameters.baseUrl.replace(/\/+$/, "");
  return [
    {
      id: "svc_demo_market_data",
      name: "Market Data API",
      // Say only what readMarketData returns: one pool's spot price and reserves, no history.
      description:
        "CRO/USDC spot price and pool reserves, read from the DEX pool at the latest block (demo, paid per call via x402).",
      category: "market-data",
      endpoint: `${base}/api/demo/market-data`,
      pricing_model: "pay-per-call" as const,
      price_amount: "100000",
      price_asset: parameters.usdcAddress,
      price_network: parameters.network,
      mcp_compatible: false,
    },
    {
      id: "svc_demo_chain_stats",
      name: "Chain Stats API",
      description:
        "Latest block number, hash, timestamp and transaction count, base fee and gas price of the network, as plain JSON (demo, paid per call via x402).",
      category: "chain-data",
      endpoint: `${base}/api/demo/chain-stats`,
      pricing_model: "pay-per-call" as const,
      price_amount: "50000",
      price_asset: parameters.usdcAddress,
      price_network: parameters.network,
      // A plain JSON GET endpoint: it speaks no MCP.
      mcp_compatible: false,
    },
  ];
}

/**
 * Registers the demo services, idempotently: running it again (even with another base URL or
 * token address) updates the declared fields in place and keeps ids, counts and reputation.
 */
export async function seedDemoServices(
  db: Kysely<Database>,
  parameters: SeedDemoServicesParameters,
  options: { cache?: Cache } = {},
): Promise<ServiceView[]> {
  validate(seedSchema, parameters, "seed parameters");
  return upsertServices(db, demoServices(parameters), options);
}
