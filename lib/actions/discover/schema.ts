import { z } from "zod";
import { baseUnits, tokenSymbol } from "../fields.js";

/** What a catalogue search looks for. */
export const DiscoverFilter = z
  .object({
    category: z.string().optional().describe("Category, e.g. market-data"),
    query: z.string().optional().describe("Words describing the service"),
    maxPrice: z
      .object({ amount: baseUnits, token: tokenSymbol })
      .optional()
      .describe("Only services priced at or below this"),
    minReputation: z.number().optional().describe("Only services rated at least this (0-5)"),
    mcp: z.boolean().optional().describe("Only services exposed over MCP"),
  })
  .describe("Catalogue search filter");
export type DiscoverFilter = z.infer<typeof DiscoverFilter>;

/** A catalogue search, recorded so the run shows how a service was chosen. */
export const DiscoverAction = z
  .object({ type: z.literal("discover"), filter: DiscoverFilter })
  .describe("Search the service catalogue");
export type DiscoverAction = z.infer<typeof DiscoverAction>;
