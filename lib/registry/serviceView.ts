import type { Service, ServiceTool } from "../db/index.js";

/** A service as the API and the agent see it: camelCase, JSON-safe, amounts as strings. */
export interface ServiceView {
  id: string;
  name: string;
  description: string;
  category: string;
  endpoint: string;
  pricingModel: Service["pricing_model"];
  price: { amount: string; asset: string; network: string };
  mcpCompatible: boolean;
  /** 0.00–5.00, from real call outcomes (see recordOutcome). */
  reputation: string;
  totalCalls: number;
  successes: number;
  failures: number;
  createdAt: string;
  updatedAt: string;
  /** Paid tools of an MCP service with their own prices; null for plain HTTP services. */
  tools: ServiceTool[] | null;
  /** "registry" (curated) or "bazaar" (imported from a facilitator's catalogue: unvetted). */
  source: string;
  importedFrom: string | null;
  tags: string[];
}

/** Maps a services row to its public view. */
export function toServiceView(row: Service): ServiceView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    endpoint: row.endpoint,
    pricingModel: row.pricing_model,
    price: { amount: String(row.price_amount), asset: row.price_asset, network: row.price_network },
    mcpCompatible: row.mcp_compatible,
    reputation: Number(row.reputation).toFixed(2),
    totalCalls: Number(row.total_calls),
    successes: Number(row.successes),
    failures: Number(row.failures),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    tools: row.tools ?? null,
    source: row.source,
    importedFrom: row.imported_from,
    tags: row.tags ?? [],
  };
}
