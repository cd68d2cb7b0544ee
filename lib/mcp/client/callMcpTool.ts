import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { BaseError } from "../../errors/index.js";
import { isNestedDeeperThan } from "../../http/isNestedDeeperThan.js";
import { MAX_REMOTE_JSON_DEPTH } from "../../http/parseBoundedJson.js";

/** Inputs of callMcpTool. */
export interface CallMcpToolParameters {
  /** The MCP server's Streamable HTTP endpoint. */
  serverUrl: string;
  name: string;
  arguments?: Record<string, unknown> | undefined;
  /** Request `_meta` (e.g. `x402/payment`). */
  meta?: Record<string, unknown> | undefined;
  /** Extra headers on every request (e.g. authorization). */
  headers?: Record<string, string> | undefined;
  fetch?: typeof fetch | undefined;
  /** Per request; a paid call waits for settlement on chain, so keep it generous. */
  timeoutMs?: number | undefined;
}

/** The MCP server could not be reached or did not speak MCP (nothing was executed by us). */
export class McpCallError extends BaseError {
  static override defaultKind = "transient" as const;
  override name = "McpCallError";
}

/**
 * One tools/call on a remote MCP server over Streamable HTTP with the official client: connect
 * (initialize), call, close. A new connection per call keeps it stateless, as our own server is.
 * A result nested deeper than MAX_REMOTE_JSON_DEPTH is refused like one the SDK cannot read
 * (McpCallError): the SDK parses the answer, but nothing of ours validates or stores it.
 */
export async function callMcpTool(parameters: CallMcpToolParameters): Promise<CallToolResult> {
  const client = new Client({ name: "paygent", version: "0.1.0" });
  const transport = new StreamableHTTPClientTransport(new URL(parameters.serverUrl), {
    ...(parameters.fetch ? { fetch: parameters.fetch } : {}),
    requestInit: { headers: parameters.headers ?? {}, redirect: "manual" },
  });
  const timeout = parameters.timeoutMs ?? 60_000;
  try {
    await client.connect(transport, { timeout });
  } catch (cause) {
    await client.close().catch(() => {});
    throw new McpCallError(`MCP server at ${new URL(parameters.serverUrl).origin} did not answer`, {
      cause,
    });
  }
  let result: CallToolResult;
  try {
    result = (await client.callTool(
      {
        name: parameters.name,
        arguments: parameters.arguments ?? {},
        ...(parameters.meta ? { _meta: parameters.meta } : {}),
      },
      undefined,
      { timeout },
    )) as CallToolResult;
  } catch (cause) {
    throw new McpCallError(`MCP tool ${parameters.name} could not be called`, { cause });
  } finally {
    await client.close().catch(() => {});
  }
  if (isNestedDeeperThan(result, MAX_REMOTE_JSON_DEPTH)) {
    throw new McpCallError(
      `MCP tool ${parameters.name} answered JSON nested deeper than ${MAX_REMOTE_JSON_DEPTH} levels`,
    );
  }
  return result;
}
