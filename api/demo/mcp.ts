import { endpoint } from "../../lib/http/index.js";
import { demoMcpTools } from "../../lib/mcp/demo/demoMcpTools.js";
import { servePaidMcpRequest } from "../../lib/mcp/paid/servePaidMcpRequest.js";
import { mcpJsonResponse } from "../../lib/mcp/schemas.js";

/**
 * POST /api/demo/mcp — demo paid MCP server (x402 over MCP): market_price 0.10 USDC, gas_price
 * 0.02 USDC. Public like the demo HTTP resources; stateless, so GET and DELETE answer 405.
 */
export const POST = endpoint(
  {
    route: "/api/demo/mcp",
    method: "POST",
    operationId: "demoPaidMcp",
    summary: "Demo paid MCP server (x402 over MCP): market_price, gas_price",
    tags: ["demo"],
    auth: "x402",
    rateLimit: "public:demo",
    success: {
      status: 200,
      description:
        'JSON-RPC response; an unpaid tools/call answers isError with PaymentRequired, a paid one carries _meta["x402/payment-response"]',
      schema: mcpJsonResponse,
    },
  },
  ({ request }) =>
    servePaidMcpRequest(request, { name: "paygent-demo-paid-tools", tools: demoMcpTools }),
);
