import type { DiscoveryResource, DiscoveryResourcesResponse } from "@x402/extensions/bazaar";
import { declareDiscoveryExtension } from "@x402/extensions/bazaar";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../db/database.js";
import { mcpToolResourceUrl } from "../mcp/client/payMcpTool.js";
import { DEMO_MCP_PATH, demoMcpTools } from "../mcp/demo/demoMcpTools.js";
import { resolvePaidRouteTerms } from "./createPaidRoute.js";

/** Filters and page of a discovery listing (GET {facilitator}/discovery/resources). */
export const discoveryQuerySchema = z.object({
  type: z.enum(["http", "mcp"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type DiscoveryQuery = z.infer<typeof discoveryQuerySchema>;

/** The demo HTTP resources (api/demo/*.ts declare the same paths and prices). */
const demoHttpResources = [
  {
    path: "/api/demo/market-data",
    amount: "100000",
    serviceName: "Paygent Demo Market Data",
    description: "CRO/USDC price and pool reserves, read from the chain per request",
    tags: ["market-data", "demo"],
  },
  {
    path: "/api/demo/chain-stats",
    amount: "50000",
    serviceName: "Paygent Demo Chain Stats",
    description: "Latest block, base fee and gas price of the network, read per request",
    tags: ["chain-data", "demo"],
  },
] as const;

/**
 * The devnet facilitator's Bazaar catalogue: the demo resources it settles for (HTTP routes and
 * each paid tool of the demo MCP server, with their bazaar discovery extension), then whatever
 * facilitator_catalogue holds — entries as resource servers declared them, unvalidated, exactly
 * the untrusted input an importer must expect from any facilitator.
 */
export async function listDevnetDiscoveryResources(
  db: Kysely<Database>,
  parameters: { baseUrl: string; query: DiscoveryQuery },
): Promise<DiscoveryResourcesResponse> {
  const base = parameters.baseUrl.replace(/\/+$/, "");
  const terms = await resolvePaidRouteTerms();
  const now = new Date().toISOString();
  const accepts = (amount: string) => [
    {
      scheme: "exact",
      network: terms.network,
      amount,
      asset: terms.asset,
      payTo: terms.payTo,
      maxTimeoutSeconds: 300,
      extra: terms.extra,
    },
  ];
  const http: DiscoveryResource[] = demoHttpResources.map((item) => ({
    resource: `${base}${item.path}`,
    type: "http",
    x402Version: 2,
    accepts: accepts(item.amount),
    lastUpdated: now,
    description: item.description,
    mimeType: "application/json",
    serviceName: item.serviceName,
    tags: [...item.tags],
    extensions: declareDiscoveryExtension({ output: { example: {} } }),
  }));
  const mcp: DiscoveryResource[] = demoMcpTools.map((tool) => ({
    resource: mcpToolResourceUrl(`${base}${DEMO_MCP_PATH}`, tool.name),
    type: "mcp",
    x402Version: 2,
    accepts: accepts(tool.amount),
    lastUpdated: now,
    description: tool.description,
    mimeType: "application/json",
    serviceName: "Paygent Demo Paid Tools",
    tags: ["mcp", "demo"],
    extensions: declareDiscoveryExtension({
      toolName: tool.name,
      description: tool.description,
      transport: "streamable-http",
      inputSchema: z.toJSONSchema(tool.inputSchema) as Record<string, unknown>,
    }),
  }));
  const catalogued = await db
    .selectFrom("facilitator_catalogue")
    .select(["entry"])
    .orderBy("created_at")
    .orderBy("resource")
    .execute();
  const all = [...http, ...mcp, ...catalogued.map((row) => row.entry as DiscoveryResource)].filter(
    (item) => !parameters.query.type || item.type === parameters.query.type,
  );
  const { limit, offset } = parameters.query;
  return {
    x402Version: 2,
    items: all.slice(offset, offset + limit),
    pagination: { limit, offset, total: all.length },
  };
}

/** The discovery answer (x402 Bazaar's /discovery/resources). */
export const discoveryResponseSchema = z.object({
  x402Version: z.number(),
  items: z.array(z.object({ resource: z.string(), type: z.string() })),
  pagination: z.object({ limit: z.number(), offset: z.number(), total: z.number() }),
});
