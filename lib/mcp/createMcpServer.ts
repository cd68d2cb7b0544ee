import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import { BaseError, ClientError } from "../errors/index.js";
import { errorAnswer } from "../http/errors.js";
import { findNulCharacter } from "../http/findNulCharacter.js";
import { publicFailure } from "../http/publicFailure.js";
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
 * its client-safe message, never a stack or an internal detail (see toolError).
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
          refuseNulCharacters(args);
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

/**
 * Refuses arguments holding a NUL character (U+0000) anywhere, in a value or a key, before a
 * handler sees them: Postgres cannot store one in text or jsonb, so it would otherwise fail deep
 * inside a query instead of as the caller's invalid input.
 */
function refuseNulCharacters(args: unknown): void {
  const path = findNulCharacter(args);
  if (path === undefined) return;
  const where = path.length ? path.join(".") : "(root)";
  const message = "must not contain a NUL character";
  throw new ClientError("validation_failed", `Invalid arguments: ${where} — ${message}`, {
    issues: [{ path: where, message }],
  });
}

/**
 * A failure as the agent sees it: {error: {kind, code?, message, hints?}} and the message as text,
 * by the same rule as REST answers (publicFailure, shared with lib/http/errors.ts): the caller's
 * own failures (invalid, not_found, conflict, refused, and every ClientError) carry their short
 * message and hints; a transient one (an RPC that did not answer too, in neutral words) its
 * message and REST's code; anything fatal or not Paygent's a generic "Internal error", its
 * details (a database error, a stack, an RPC URL) only in the server log, which redacts secrets.
 */
function toolError(name: string, error: unknown): CallToolResult {
  const { kind, message, source } = publicFailure(error);
  if (source === "internal") {
    log.error("MCP tool failed", { tool: name, error });
    return errorResult({ kind, message });
  }
  if (source === "unavailable") {
    log.warn("MCP tool: service unavailable", { tool: name, error });
    // The code REST answers (service_unavailable), so an agent can tell a retry may help.
    return errorResult({ kind, code: errorAnswer(error).code, message });
  }
  const hints = error instanceof BaseError ? error.metaMessages : undefined;
  return errorResult({
    kind,
    ...(error instanceof ClientError ? { code: error.code } : {}),
    message,
    ...(hints?.length ? { hints } : {}),
  });
}

function errorResult(error: {
  kind: string;
  code?: string;
  message: string;
  hints?: string[];
}): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: error.message }],
    structuredContent: { error },
  };
}
