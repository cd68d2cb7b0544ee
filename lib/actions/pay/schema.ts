import { z } from "zod";
import {
  baseUnits,
  mcpToolCall,
  serviceId,
  serviceName,
  tokenSymbol,
  usdFigure,
} from "../fields.js";

/** An x402 payment for a resource (HTTP 402, EIP-3009 authorization, facilitator settlement). */
export const PayAction = z
  .object({
    type: z.literal("pay"),
    url: z.string().url().describe("Resource URL to request and pay"),
    serviceId: serviceId
      .optional()
      .describe("Catalogue id when the URL belongs to a known service"),
    serviceName: serviceName.optional(),
    token: tokenSymbol.describe("Token paid"),
    maxAmount: baseUnits.describe("Most the payment may cost, in base units"),
    amountFromStep: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Index of the swap whose output funds this payment"),
    usd: usdFigure.optional(),
    probed: z
      .literal(true)
      .optional()
      .describe("The cap is the price the resource asked for when probed at planning"),
    tool: mcpToolCall.optional(),
  })
  .describe("Pay for a resource through x402");
export type PayAction = z.infer<typeof PayAction>;
