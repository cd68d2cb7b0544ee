import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  isJSONRPCRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  PingRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { json } from "../http/respond.js";
import { readJsonBody, validate } from "../http/validate.js";
import { log } from "../log.js";

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
 * are answered in Paygent's error shape. A NUL character is not refused here, as REST routes
 * refuse it (400): in a tool's arguments it is that tool's invalid input (createMcpServer), and
 * anywhere else (a method, an id, a tool name) the SDK answers as for any unknown one, so a
 * client always reads a JSON-RPC answer. Nothing from the body reaches the database otherwise. A request whose params do not fit its method is answered
 * -32602 here (refuseMalformedRequests); other JSON-RPC results and errors pass through untouched.
 */
export async function serveStatelessMcp(server: McpServer, request: Request): Promise<Response> {
  const parsedBody = validate(jsonRpcBody, await readJsonBody(request), "body");
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  refuseMalformedRequests(transport);
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

/**
 * The request methods this server answers, by the SDK's schema of each. (A method without a handler
 * is answered -32601 by the SDK itself; add a method here when the server starts answering it.)
 */
const requestSchemas = new Map<string, z.ZodType>(
  [InitializeRequestSchema, PingRequestSchema, ListToolsRequestSchema, CallToolRequestSchema].map(
    (schema) => [schema.shape.method.value, schema],
  ),
);

/**
 * Answers a request whose params do not fit its method (tools/call without params, arguments that
 * are not an object…) with JSON-RPC -32602 "invalid params" and one readable line, before the SDK
 * sees it: the SDK parses params outside its handlers and answers a failed parse as -32603
 * (internal error) with the zod issues pretty-printed as the message. Works per message, so a
 * batch gets its other answers as usual.
 */
function refuseMalformedRequests(transport: WebStandardStreamableHTTPServerTransport): void {
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const refusal = invalidParamsError(message);
    if (!refusal) return deliver?.(message, extra);
    transport.send(refusal).catch((error: unknown) => {
      log.error("MCP refusal not sent", { error });
    });
  };
}

function invalidParamsError(message: JSONRPCMessage): JSONRPCErrorResponse | undefined {
  if (!isJSONRPCRequest(message)) return undefined;
  const schema = requestSchemas.get(message.method);
  if (!schema) return undefined;
  const parsed = schema.safeParse(message, { reportInput: true });
  if (parsed.success) return undefined;
  return {
    jsonrpc: "2.0",
    id: message.id,
    error: {
      code: ErrorCode.InvalidParams,
      message: `Invalid params for ${message.method}: ${describeIssues(parsed.error.issues)}`,
    },
  };
}

/** The first zod issue as one line ("params.arguments must be an object"), and how many follow. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const [first, ...rest] = issues;
  if (!first) return "malformed request";
  const path = first.path.map(String).join(".") || "the request";
  const problem =
    first.code === "invalid_type"
      ? first.input === undefined
        ? `is missing (expected ${typeNoun(first.expected)})`
        : `must be ${typeNoun(first.expected)}`
      : first.message.replace(/^Invalid input: /, "");
  const more = rest.length
    ? ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})`
    : "";
  return `${path} ${problem}${more}`.replace(/\s+/g, " ").slice(0, 300);
}

function typeNoun(expected: string): string {
  return expected === "record" || expected === "object" ? "an object" : `a ${expected}`;
}
