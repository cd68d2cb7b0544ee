import type { DiscoverFilter } from "../../agent/plan.js";
import { discoverServices } from "../../registry/discoverServices.js";
import { formatAmount } from "../format.js";
import type { ActionModule } from "../types.js";
import { discoverFromModel } from "./model.js";
import { DiscoverAction } from "./schema.js";

/** Searches the service catalogue; a following "pay for the cheapest" chooses from its matches. */
export const discover: ActionModule<"discover"> = {
  type: "discover",
  schema: DiscoverAction,
  fromModel: discoverFromModel,
  async plan(intent, state) {
    const { kind: _kind, ...filter } = intent;
    const candidates = await state.context.discoverServices(filter);
    state.discovery = { candidates, filter };
    state.explanation.push(
      `Search the catalogue: ${candidates.length} service${candidates.length === 1 ? "" : "s"} match.`,
    );
    return { action: { type: "discover", filter } };
  },
  async maxSpend() {
    return undefined;
  },
  async perform({ db }, action) {
    const { services } = await discoverServices(db, {
      category: action.filter.category,
      q: action.filter.query,
      maxPrice: action.filter.maxPrice?.amount,
      minReputation: action.filter.minReputation,
      mcp: action.filter.mcp,
      limit: 20,
    });
    return {
      output: {
        services: services.map((s) => ({
          id: s.id,
          name: s.name,
          category: s.category,
          endpoint: s.endpoint,
          price: s.price,
          reputation: s.reputation,
          mcp: s.mcpCompatible,
        })),
      },
      cost: [],
    };
  },
  describe(action, outcome) {
    const found = (outcome?.output as { services?: unknown[] } | null)?.services;
    const what = describeFilter(action.filter);
    if (found) return `Found ${found.length} service${found.length === 1 ? "" : "s"}${what}`;
    return `Search the catalogue${what}`;
  },
};

function describeFilter(filter: DiscoverFilter): string {
  const parts = [
    filter.category ?? filter.query,
    filter.maxPrice ? `up to ${formatAmount(filter.maxPrice.amount, filter.maxPrice.token)}` : "",
    filter.minReputation !== undefined ? `rated ${filter.minReputation}+` : "",
    filter.mcp ? "over MCP" : "",
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
