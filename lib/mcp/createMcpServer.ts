import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { BaseError, ClientError, errorKind } from "../errors/index.js";
import { log } from "../log.js";
import type { McpTool, ToolContext } from "./defineTool.js";
import { mcpRoleOf } from "./roles.js";

/** Inputs of createMcpServer. */
export interface CreateMcpServerParameters {
  db: Kysely<Database>;
  principal: Principal;
  request: Request;
  tools: readonly McpTool[];
}

/** Name and version announced at initialize. */
export const PAYGENT_MCP_SERVER_INFO = { name: "paygent", version: "0.1.0" } as const;

/**
 * An MCP server for one request and one caller: only the tools the caller's role allows are
 * registered, so a key never sees (let alone calls) a tool of another role. Each tool answers
 * structured content plus one human line; failures are tool errors carrying the error's kind and
 * its client-safe message, never a stack or an internal detail.
 */
export function createMcpServer(parameters: CreateMcpServerParameters): McpServer {
  const { db, principal, request } = parameters;
  const role = mcpRoleOf(principal);
  const server = new McpServer(PAYGENT_MCP_SERVER_INFO, {
    instructions:
      "Paygent moves money for an agent under its key's policy: budgets, approvals and limits are enforced by Paygent, not by these instructions. Discover and quote freely; run_command and pay_x402 start durable runs, followed with get_run.",
  });
  for (const tool of parameters.tools) {
    if (!tool.roles.includes(role)) continue;
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: tool.inputSchema },
      async (args: unknown, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
        const context: ToolContext = { db, principal, request, signal: extra.signal };
        try {
          const result = await tool.handler(args as never, context);
          return {
            content: [{ type: "text", text: result.text }],
            structuredContent: result.structured,
          };
        } catch (error) {
          return toolError(tool.name, error);
        }
      },
    );
  }
  return server;
}

/** A failure as the agent sees it: {error: {kind, code?, message, hints?}} and the message as text. */
function toolError(name: string, error: unknown): CallToolResult {
  const known = error instanceof BaseError;
  if (!known || (errorKind(error) === "fatal" && !(error instanceof ClientError))) {
    log.error("MCP tool failed", { tool: name, error });
  }
  const message = known ? error.shortMessage : "Internal error";
  const structured = {
    error: {
      kind: known ? errorKind(error) : "fatal",
      ...(error instanceof ClientError ? { code: error.code } : {}),
      message,
      ...(known && error.metaMessages?.length ? { hints: error.metaMessages } : {}),
    },
  };
  return {
    isError: true,
    content: [{ type: "text", text: message }],
    structuredContent: structured,
  };
}
