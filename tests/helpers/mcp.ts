import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { HostProcess } from "./host.js";

/** The official MCP client, connected to a host's /api/mcp over HTTP with an API key. */
export async function connectMcp(host: HostProcess, apiKey: string): Promise<Client> {
  const client = new Client({ name: "paygent-test", version: "0.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${host.url}/api/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
    }),
  );
  return client;
}

/** Calls a tool and returns its result (structured content typed loosely for assertions). */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult & { structuredContent?: any }> {
  return (await client.callTool({ name, arguments: args }, undefined, {
    timeout: 60_000,
  })) as CallToolResult;
}

/** Creates an API key with `role` on the host (with its admin key), under `policyId` when given. */
export async function createKey(
  host: HostProcess,
  role: "admin" | "agent" | "approver",
  policyId?: string,
): Promise<string> {
  const response = await host.request("POST", "/api/keys", {
    name: `mcp-${role}`,
    role,
    ...(policyId ? { policyId } : {}),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`key creation answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.key as string;
}

/** Creates a policy on the host (with its admin key) and returns its id. */
export async function createPolicy(host: HostProcess, document: object): Promise<string> {
  const response = await host.request("POST", "/api/policies", document);
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(
      `policy creation answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body.id as string;
}
