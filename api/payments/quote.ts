import { endpoint } from "../../lib/http/index.js";
import { quotePrice } from "../../lib/mcp/quotePrice.js";
import { quoteResponse } from "../../lib/mcp/schemas.js";
import { quoteX402Spec } from "../../lib/mcp/toolSpecs.js";

/**
 * POST /api/payments/quote {url, tool?, maxAmount?} — an x402 price read without paying (what the
 * MCP tool quote_x402 answers). A provider that yields no price is a 502: the request was fine, the
 * upstream was not (QuoteFailedError, lib/http/errors.ts).
 */
export const POST = endpoint(
  {
    route: "/api/payments/quote",
    method: "POST",
    operationId: "quoteX402",
    summary: "Read an x402 resource's (or paid MCP tool's) price without paying",
    tags: ["payments"],
    auth: ["admin", "agent"],
    rateLimit: "command",
    body: { name: "QuoteRequest", schema: quoteX402Spec.inputSchema },
    success: {
      status: 200,
      description: "Every option and the one Paygent would pay, or why it would not",
      schema: quoteResponse,
    },
    responses: { 502: "The provider did not answer with a usable price" },
  },
  ({ body }) => quotePrice(body),
);
