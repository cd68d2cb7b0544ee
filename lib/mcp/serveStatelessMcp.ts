import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { json } from "../http/respond.js";
import { parseJsonBody } from "../http/validate.js";

/** A JSON-RPC 2.0 message (request, notification or response); MCP validates the rest. */
const jsonRpcMessage = z.looseObject({
  jsonrpc: z.literal("2.0"),
  method: z.string().max(200).optional(),
  id: z.union([z.string().max(200), z.number()]).nullish(),
});
const jsonRpcBody = z.union([jsonRpcMessage, z.array(jsonRpcMessage).min(1).max(50)]);

/** Our error codes for the HTTP statuses the MCP transport answers with. */
const codeByStatus: Record<number, string> = {
  400: "bad_request",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * Serves one MCP request on a fresh stateless transport (a stateless transport cannot be reused).
 * The body is read and checked the way every Paygent route reads JSON (size limit, content type,
 * depth, a JSON-RPC shape) before the SDK sees it, and the transport's own HTTP-level refusals
 * are answered in Paygent's error shape; JSON-RPC results and errors pass through untouched.
 */
export async function serveStatelessMcp(server: McpServer, request: Request): Promise<Response> {
  const parsedBody = await parseJsonBody(request, jsonRpcBody);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(request, { parsedBody });
    return response.status >= 400 ? await normalizeRefusal(response) : response;
  } finally {
    // JSON responses are complete here; nothing stays open between requests.
    void server.close().catch(() => {});
  }
}

async function normalizeRefusal(response: Response): Promise<Response> {
  const text = await response.text();
  let message = `MCP request refused (${response.status})`;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") message = body.error.message.slice(0, 300);
  } catch {
    // Not JSON: keep the generic message.
  }
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return json(
    { error: { code: codeByStatus[response.status] ?? "bad_request", message } },
    { status: response.status, headers },
  );
}
