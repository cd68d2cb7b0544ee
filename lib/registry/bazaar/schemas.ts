import { z } from "zod";

/** Body of POST /api/services/import: the facilitator whose Bazaar catalogue to import. */
export const importServicesRequest = z
  .object({
    facilitatorUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .describe(
        "The facilitator's base URL; its /discovery/resources is listed (e.g. https://x402.example/facilitator)",
      ),
    maxEntries: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1000)
      .describe("Most catalogue entries to read"),
  })
  .strict();

/** What POST /api/services/import answers. */
export const importServicesResponse = z.object({
  imported: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      endpoint: z.string(),
      type: z.enum(["http", "mcp"]),
      tools: z.array(z.string()),
    }),
  ),
  refused: z.array(
    z.object({ index: z.number(), resource: z.string().nullable(), reason: z.string() }),
  ),
});
