import { endpoint } from "../lib/http/index.js";
import { answerMcpUnauthorized } from "../lib/mcp/answerMcpUnauthorized.js";
import { handleMcpRequest } from "../lib/mcp/handleMcpRequest.js";
import { mcpJsonResponse } from "../lib/mcp/schemas.js";

/**
 * POST /api/mcp — Paygent as an MCP server (stateless Streamable HTTP, Bearer API key). A stateless
 * server offers no GET stream and no session to DELETE: those methods answer 405, as MCP allows.
 */
export const POST = endpoint(
  {
    route: "/api/mcp",
    method: "POST",
    operationId: "mcp",
    summary: "Paygent MCP server (Streamable HTTP, stateless; JSON-RPC body)",
    description:
      "Tools by the key's role: agent keys get run_command, get_run, list_runs, get_balance, discover_services, quote_x402, pay_x402 and cancel_run; approver keys list_approvals and decide_approval; admin keys all. Without a valid key: 401 with WWW-Authenticate resource_metadata (RFC 9728).",
    tags: ["mcp"],
    auth: "any",
    unauthorized: answerMcpUnauthorized,
    success: {
      status: 200,
      description: "JSON-RPC response (tool errors are results, not 4xx)",
      schema: mcpJsonResponse,
    },
    responses: {
      406: "The client does not accept application/json and text/event-stream",
      415: "Not a JSON body",
    },
  },
  ({ request, principal }) => handleMcpRequest(request, principal),
);
