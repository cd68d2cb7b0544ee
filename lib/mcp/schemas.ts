import { z } from "zod";

/** Response shapes of the agent-interface endpoints (issue 15), for the OpenAPI document. */

const jsonRpcResponse = z.looseObject({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number(), z.null()]),
  result: z.unknown().optional().describe("The method's result (tool results included)"),
  error: z
    .looseObject({ code: z.number(), message: z.string() })
    .optional()
    .describe("A JSON-RPC error"),
});

/** What a Streamable HTTP MCP endpoint answers in JSON mode: one response or a batch of them. */
export const mcpJsonResponse = z
  .union([jsonRpcResponse, z.array(jsonRpcResponse)])
  .describe("JSON-RPC 2.0 response(s)");

/** The RFC 9728 protected-resource metadata document. */
export const protectedResourceDocument = z.object({
  resource: z.string().describe("The MCP endpoint"),
  bearer_methods_supported: z.array(z.string()),
  resource_name: z.string(),
  resource_documentation: z.string(),
  authorization_servers: z.array(z.string()).describe("None: the bearer tokens are API keys"),
});

const quoteOption = z.object({
  scheme: z.string(),
  network: z.string(),
  amount: z.string().describe("Base units of asset"),
  asset: z.string(),
  payTo: z.string(),
  maxTimeoutSeconds: z.number(),
});

/** A price read without paying (quote_x402, POST /api/payments/quote). */
export const quoteResponse = z.object({
  resource: z.string(),
  paymentRequired: z.boolean(),
  x402Version: z.number().nullable(),
  accepts: z.array(quoteOption),
  selected: quoteOption.nullable().describe("The option Paygent would pay"),
  refusal: z.string().nullable().describe("Why Paygent would not pay, when it would not"),
});
